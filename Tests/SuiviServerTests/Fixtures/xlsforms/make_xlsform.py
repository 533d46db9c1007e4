#!/usr/bin/env python3
"""Writes one of the tests' own XLSForms as an .xlsx (openpyxl).

Usage: make_xlsform.py NAME OUTPUT.xlsx
  marche         a market-day form: select_one_from_file, an image label, no version
  marche_broken  the same with a select_one naming a list that does not exist
  cascade        cascading selects: région → département (inline choices),
                 département → commune (from communes_dept.csv), and the same
                 inside a repeat of stalls (filters read with current());
                 labels in French, English and Wolof
"""
import sys

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


def main():
    name, output = sys.argv[1], sys.argv[2]
    sheets = {"marche": marche, "marche_broken": lambda: marche(broken=True),
              "cascade": cascade}[name]()
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(output)


if __name__ == "__main__":
    main()
