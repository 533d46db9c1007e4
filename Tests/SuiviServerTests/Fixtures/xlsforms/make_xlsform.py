#!/usr/bin/env python3
"""Writes one of the tests' own XLSForms as an .xlsx (openpyxl).

Usage: make_xlsform.py NAME OUTPUT.xlsx
  marche         a market-day form: select_one_from_file, an image label, no version
  marche_broken  the same with a select_one naming a list that does not exist
  cascade        cascading selects: région → département (inline choices),
                 département → commune (from communes_dept.csv), and the same
                 inside a repeat of stalls (filters read with current());
                 labels in French, English and Wolof
  fonctions      what a phone browser shows beyond text and lists: time, date
                 and time, a month, an acknowledge, likert and horizontal
                 lists, a long list to search, a repeat counted by an answer
                 (jr:count), a guidance hint, a default answer, and what it leaves to ODK
                 Collect (a GPS trace, a photo)
  fonctions_v2   its version 2, with one more question
"""
import sys
import unicodedata

from openpyxl import Workbook


def marche(broken=False):
    survey = [
        ["type", "name", "label::Français (fr)", "label::English (en)", "media::image::Français (fr)", "required"],
        ["today", "jour", "", "", "", ""],
        ["note", "accueil", "Bienvenue au marché", "Welcome to the market", "logo.png", ""],
        ["select_one_from_file communes.csv", "commune", "Commune", "Commune", "", "yes"],
        ["select_one %s" % ("metiers_absents" if broken else "metiers"), "metier", "Métier", "Trade", "", "yes"],
        ["integer", "exposants", "Nombre d'exposants", "Number of stallholders", "", ""],
    ]
    choices = [
        ["list_name", "name", "label::Français (fr)", "label::English (en)"],
        ["metiers", "couture", "Couture", "Tailoring"],
        ["metiers", "poterie", "Poterie", "Pottery"],
    ]
    settings = [["form_title", "form_id", "default_language"], ["Jour de marché", "marche", "Français (fr)"]]
    return {"survey": survey, "choices": choices, "settings": settings}


def cascade():
    survey = [
        ["type", "name", "label::Français (fr)", "label::English (en)", "label::Wolof (wo)", "choice_filter", "required"],
        ["select_one regions", "region", "Région", "Region", "Diwaan", "", "yes"],
        ["select_one departements", "departement", "Département", "Département", "Departemaa", "region=${region}", "yes"],
        ["select_one_from_file communes_dept.csv", "commune", "Commune", "Commune", "Komin", "departement=${departement}", ""],
        ["begin_repeat", "stand", "Stand", "Stall", "Bitig", "", ""],
        ["select_one regions", "region_stand", "Région du stand", "Stall region", "Diwaanu bitig bi", "", ""],
        ["select_one departements", "departement_stand", "Département du stand", "Stall département",
         "Departemaau bitig bi", "region=${region_stand}", ""],
        ["end_repeat", "", "", "", "", "", ""],
    ]
    choices = [
        ["list_name", "name", "label::Français (fr)", "label::English (en)", "label::Wolof (wo)", "region"],
        ["regions", "dakar", "Dakar", "Dakar", "Ndakaaru", ""],
        ["regions", "thies", "Thiès", "Thies", "Kees", ""],
        ["departements", "pikine", "Pikine", "Pikine", "Pikin", "dakar"],
        ["departements", "rufisque", "Rufisque", "Rufisque", "Tengeej", "dakar"],
        ["departements", "mbour", "Mbour", "Mbour", "Mbuur", "thies"],
    ]
    settings = [["form_title", "form_id", "version", "default_language"],
                ["Marché en cascade", "cascade", "1", "Français (fr)"]]
    return {"survey": survey, "choices": choices, "settings": settings}


def fonctions(version=1):
    head = ["type", "name", "label::Français (fr)", "label::English (en)", "appearance", "required", "repeat_count",
            "hint::Français (fr)", "guidance_hint::Français (fr)", "default"]
    rows = [
        ["time", "heure", "Heure de la visite", "Time of the visit"],
        ["dateTime", "moment", "Date et heure du rendez-vous", "Date and time of the appointment"],
        ["date", "ouverture", "Mois d'ouverture de l'atelier", "Month the workshop opened", "month-year"],
        ["acknowledge", "charte", "J'ai lu la charte", "I read the charter", "", "yes"],
        ["select_one satisfaction", "satisfaction", "Satisfaction", "Satisfaction", "likert"],
        ["select_one oui_non", "inscrit", "Déjà inscrit ?", "Already a member?", "horizontal", "", "", "", "", "oui"],
        ["select_one communes", "commune", "Commune", "Commune"],
        ["integer", "apprentis", "Nombre d'apprentis", "Number of apprentices"],
        ["begin_repeat", "apprenti", "Apprenti", "Apprentice", "", "", "${apprentis}"],
        ["text", "prenom", "Prénom de l'apprenti", "Apprentice's first name", "", "", "", "Tel qu'il l'écrit",
         "Demandez-lui de l'écrire lui-même si possible."],
        ["end_repeat", ""],
        ["geotrace", "parcours", "Parcours du marché", "Route through the market"],
        ["image", "photo", "Photo de l'atelier", "Photo of the workshop"],
    ] + ([["text", "remarque", "Remarque (version 2)", "Remark (version 2)"]] if version > 1 else [])
    survey = [head] + [row + [""] * (len(head) - len(row)) for row in rows]
    choices = [["list_name", "name", "label::Français (fr)", "label::English (en)"]]
    for index, (fr, en) in enumerate([("Pas du tout", "Not at all"), ("Un peu", "A little"), ("Moyen", "Fairly"),
                                      ("Bien", "Well"), ("Très bien", "Very well")]):
        choices.append(["satisfaction", str(index + 1), fr, en])
    choices += [["oui_non", "oui", "Oui", "Yes"], ["oui_non", "non", "Non", "No"]]
    for name in ["Bambey", "Bargny", "Diamniadio", "Diourbel", "Fatick", "Gossas", "Guédiawaye", "Joal", "Kaffrine",
                 "Kaolack", "Kédougou", "Kolda", "Louga", "Matam", "Mbacké", "Mbour", "Nioro", "Pikine", "Podor",
                 "Rufisque", "Saly", "Sédhiou", "Thiès", "Tivaouane", "Ziguinchor"]:
        code = unicodedata.normalize("NFD", name).encode("ascii", "ignore").decode().lower()
        choices.append(["communes", code, name, name])
    settings = [["form_title", "form_id", "version", "default_language"],
                ["Fonctions du formulaire", "fonctions", str(version), "Français (fr)"]]
    return {"survey": survey, "choices": choices, "settings": settings}


def main():
    name, output = sys.argv[1], sys.argv[2]
    sheets = {"marche": marche, "marche_broken": lambda: marche(broken=True),
              "cascade": cascade, "fonctions": fonctions, "fonctions_v2": lambda: fonctions(version=2)}[name]()
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(output)


if __name__ == "__main__":
    main()
