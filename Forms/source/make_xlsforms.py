#!/usr/bin/env python3
"""Generate the Suivi XLSForms (Forms/*.xlsx) with openpyxl.

The .xlsx files are the source of truth that people edit; this script only
(re)creates them from scratch. It is run by `Scripts/build-forms --regenerate`
and overwrites Forms/visite.xlsx, Forms/emission_radio.xlsx and
Forms/causerie.xlsx. Output is byte-for-byte reproducible (fixed timestamps).

Field names are a contract with the server (indicators, lead extraction):
do not rename them.
"""

import csv
import io
import os
import re
import unicodedata
import zipfile
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = os.path.dirname(os.path.abspath(__file__))
FORMS_DIR = os.path.dirname(HERE)
REPO_ROOT = os.path.dirname(FORMS_DIR)
DEPARTEMENTS_CSV = os.environ.get(
    "SUIVI_DEPARTEMENTS_CSV",
    os.path.join(HERE, "departements.csv"),
)

VERSION = "2026112301"
FR = "Français (fr)"
EN = "English (en)"
FIXED_TIME = datetime(2026, 11, 23, 0, 0, 0)

SURVEY_COLUMNS = [
    "type",
    "name",
    f"label::{FR}",
    f"label::{EN}",
    f"hint::{FR}",
    f"hint::{EN}",
    "required",
    f"required_message::{FR}",
    f"required_message::{EN}",
    "relevant",
    "constraint",
    f"constraint_message::{FR}",
    f"constraint_message::{EN}",
    "appearance",
]
CHOICE_COLUMNS = ["list_name", "name", f"label::{FR}", f"label::{EN}"]
SETTINGS_COLUMNS = ["form_id", "form_title", "version", "default_language", "instance_name"]

REQ_FR = "Cette réponse est obligatoire."
REQ_EN = "This answer is required."
NOT_FUTURE = (". <= today()", "La date ne peut pas être dans le futur.", "The date cannot be in the future.")
NON_NEGATIVE = (". >= 0", "Le nombre doit être positif ou nul.", "The number must be zero or more.")


def slug(name):
    """Stable ASCII slug: lowercase, accents removed, spaces/apostrophes -> '-'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    out = ascii_name.lower().strip()
    for ch in (" ", "'", "\u2019"):
        out = out.replace(ch, "-")
    while "--" in out:
        out = out.replace("--", "-")
    return out


def q(type_, name, fr, en, *, hint=None, required=False, relevant=None,
      constraint=None, appearance=None):
    """One survey row. hint=(fr, en); constraint=(expr, msg_fr, msg_en)."""
    row = {"type": type_, "name": name, f"label::{FR}": fr, f"label::{EN}": en}
    if hint:
        row[f"hint::{FR}"], row[f"hint::{EN}"] = hint
    if required:
        row["required"] = "yes"
        row[f"required_message::{FR}"] = REQ_FR
        row[f"required_message::{EN}"] = REQ_EN
    if relevant:
        row["relevant"] = relevant
    if constraint:
        (row["constraint"], row[f"constraint_message::{FR}"],
         row[f"constraint_message::{EN}"]) = constraint
    if appearance:
        row["appearance"] = appearance
    return row


def meta_rows():
    return [{"type": "start", "name": "start"}, {"type": "end", "name": "end"}]


def departement_question():
    return q("select_one departements", "departement", "Département", "Département",
             required=True, appearance="minimal")


def departement_choices():
    with open(DEPARTEMENTS_CSV, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    # The CSV is ordered by region then département; keep that order.
    choices, seen = [], set()
    for r in rows:
        label = r["departement"].strip()
        name = slug(label)
        if name in seen:
            raise SystemExit(f"duplicate département slug: {name}")
        seen.add(name)
        choices.append(("departements", name, label, label))
    if len(choices) != 46:
        raise SystemExit(f"expected 46 départements, got {len(choices)}")
    return choices


YES_NO = [("yes_no", "yes", "Oui", "Yes"), ("yes_no", "no", "Non", "No")]


def visite():
    survey = meta_rows() + [
        q("date", "visit_date", "Date de la visite", "Visit date",
          required=True, constraint=NOT_FUTURE),
        departement_question(),
        q("text", "neighbourhood", "Commune / quartier", "Municipality / neighbourhood",
          required=True),
        q("text", "artisan_name", "Nom et prénom de l'artisan", "Artisan's full name",
          required=True),
        q("select_one sex", "sex", "Sexe", "Sex", required=True),
        q("text", "phone", "Numéro de téléphone", "Phone number",
          hint=("Par exemple : 77 123 45 67", "For example: 77 123 45 67"),
          required=True, appearance="numbers"),
        q("text", "national_id", "Numéro d'identification national (NIN)",
          "National identification number (NIN)",
          hint=("Figure sur la carte d'identité CEDEAO (13 chiffres en général). Laisser vide si inconnu.",
                "Printed on the ECOWAS identity card (usually 13 digits). Leave blank if unknown.")),
        q("select_one trades", "trade", "Corps de métier", "Trade", required=True),
        q("text", "trade_other", "Préciser le métier", "Specify the trade",
          required=True, relevant="${trade} = 'other'"),
        q("text", "organisation", "Organisation professionnelle d'artisans (OPA)",
          "Artisans' professional organisation (OPA)",
          hint=("Laisser vide si l'artisan n'est membre d'aucune organisation.",
                "Leave blank if the artisan belongs to no organisation.")),
        q("select_multiple materials", "materials", "Supports remis",
          "Materials handed out",
          constraint=("not(selected(., 'none') and count-selected(.) > 1)",
                      "« Aucun » ne peut pas être coché avec un autre support.",
                      "\"None\" cannot be selected together with another item.")),
        q("select_one yes_no", "informed_terms",
          "L'artisan a-t-il été informé des modalités d'inscription et de cotisation ?",
          "Was the artisan informed of the registration and contribution terms?",
          required=True),
        q("select_one join", "wants_to_join",
          "L'artisan souhaite-t-il adhérer à la mutuelle ?",
          "Does the artisan want to join the mutual?", required=True),
        q("integer", "household_size", "Nombre de personnes dans le ménage",
          "Number of people in the household",
          hint=("Y compris l'artisan.", "Including the artisan."),
          required=True, relevant="${wants_to_join} = 'yes'",
          constraint=(". >= 1 and . <= 60", "Le nombre doit être compris entre 1 et 60.",
                      "The number must be between 1 and 60.")),
        q("select_one yes_no", "consent_contact",
          "L'artisan accepte-t-il d'être recontacté par la mutuelle ?",
          "Does the artisan agree to be contacted again by the mutual?",
          required=True, relevant="${wants_to_join} != 'no'"),
        q("geopoint", "location", "Position de l'atelier", "Workplace location"),
        q("text", "notes", "Observations", "Notes"),
    ]
    choices = [
        ("sex", "female", "Femme", "Female"),
        ("sex", "male", "Homme", "Male"),
        ("trades", "tailoring", "Couture", "Tailoring"),
        ("trades", "carpentry", "Menuiserie bois", "Carpentry"),
        ("trades", "mechanics", "Mécanique", "Mechanics"),
        ("trades", "hairdressing", "Coiffure", "Hairdressing"),
        ("trades", "shoemaking", "Cordonnerie", "Shoemaking"),
        ("trades", "jewellery", "Bijouterie", "Jewellery"),
        ("trades", "welding", "Soudure / menuiserie métallique", "Welding / metalwork"),
        ("trades", "masonry", "Maçonnerie", "Masonry"),
        ("trades", "electrical", "Électricité", "Electrical work"),
        ("trades", "dyeing", "Teinture", "Dyeing"),
        ("trades", "pottery", "Poterie", "Pottery"),
        ("trades", "basketry", "Vannerie", "Basketry"),
        ("trades", "leatherwork", "Maroquinerie", "Leatherwork"),
        ("trades", "other", "Autre", "Other"),
        ("materials", "flyer", "Dépliant", "Flyer"),
        ("materials", "poster", "Affiche", "Poster"),
        ("materials", "none", "Aucun", "None"),
        *YES_NO,
        ("join", "yes", "Oui", "Yes"),
        ("join", "no", "Non", "No"),
        ("join", "later", "Plus tard", "Later"),
    ] + departement_choices()
    settings = ["visite", "Visite d'atelier", VERSION, FR,
                "concat(${artisan_name}, ' - ', ${visit_date})"]
    return survey, choices, settings


def emission_radio():
    survey = meta_rows() + [
        departement_question(),
        q("text", "station", "Station de radio", "Radio station", required=True),
        q("date", "broadcast_date", "Date de diffusion", "Broadcast date",
          required=True, constraint=NOT_FUTURE),
        q("integer", "duration_minutes", "Durée de l'émission (minutes)",
          "Programme length (minutes)", required=True,
          constraint=(". > 0 and . <= 240", "La durée doit être comprise entre 1 et 240 minutes.",
                      "The length must be between 1 and 240 minutes.")),
        q("select_one languages", "language", "Langue de l'émission", "Language of the programme",
          required=True),
        q("text", "hosts", "Animateurs et intervenants", "Hosts and speakers",
          hint=("Noms des animateurs et des délégués de la mutuelle présents.",
                "Names of the hosts and of the mutual's delegates who took part."),
          required=True),
        q("integer", "estimated_audience", "Audience estimée (nombre de personnes)",
          "Estimated audience (number of people)", required=True,
          constraint=(". >= 0 and . <= 1000000",
                      "L'audience doit être comprise entre 0 et 1 000 000.",
                      "The audience must be between 0 and 1,000,000.")),
        q("integer", "calls_received", "Nombre d'appels reçus pendant l'émission",
          "Number of calls received during the programme", required=True,
          constraint=NON_NEGATIVE),
    ]
    choices = [
        ("languages", "wolof", "Wolof", "Wolof"),
        ("languages", "french", "Français", "French"),
        ("languages", "pulaar", "Pulaar", "Pulaar"),
        ("languages", "serer", "Sérère", "Serer"),
        ("languages", "diola", "Diola", "Jola"),
        ("languages", "mandinka", "Mandingue", "Mandinka"),
        ("languages", "soninke", "Soninké", "Soninke"),
        ("languages", "other", "Autre", "Other"),
    ] + departement_choices()
    settings = ["emission_radio", "Émission radio", VERSION, FR,
                "concat(${station}, ' - ', ${broadcast_date})"]
    return survey, choices, settings


def causerie():
    survey = meta_rows() + [
        departement_question(),
        q("text", "place", "Lieu de la causerie", "Place of the talk", required=True),
        q("date", "talk_date", "Date de la causerie", "Date of the talk",
          required=True, constraint=NOT_FUTURE),
        q("integer", "participants_men", "Nombre de participants (hommes)",
          "Number of participants (men)", required=True, constraint=NON_NEGATIVE),
        q("integer", "participants_women", "Nombre de participantes (femmes)",
          "Number of participants (women)", required=True, constraint=NON_NEGATIVE),
        q("integer", "pre_registrations", "Nombre de pré-inscriptions",
          "Number of pre-registrations", required=True,
          constraint=(". >= 0 and . <= ${participants_men} + ${participants_women}",
                      "Le nombre de pré-inscriptions ne peut pas dépasser le nombre de participants.",
                      "Pre-registrations cannot exceed the number of participants.")),
    ]
    choices = departement_choices()
    settings = ["causerie", "Causerie", VERSION, FR,
                "concat(${place}, ' - ', ${talk_date})"]
    return survey, choices, settings


def write_sheet(ws, columns, rows):
    ws.append(columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r in rows:
        if isinstance(r, dict):
            ws.append([r.get(c) for c in columns])
        else:
            ws.append(list(r))
    ws.freeze_panes = "A2"
    for i, col in enumerate(columns, start=1):
        width = max(len(str(ws.cell(row=j, column=i).value or "")) for j in range(1, ws.max_row + 1))
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(max(width + 2, 10), 60)


def save_reproducible(wb, path):
    """Save with fixed document properties and zip timestamps."""
    wb.properties.creator = "Suivi"
    wb.properties.lastModifiedBy = "Suivi"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "docProps/core.xml":
                # openpyxl stamps "modified" with the current time on save.
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>2026-11-23T00:00:00Z\g<2>", data)
            info = zipfile.ZipInfo(item.filename, date_time=(2026, 11, 23, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zout.writestr(info, data)
    with open(path, "wb") as f:
        f.write(out.getvalue())


def build(name, spec):
    survey, choices, settings = spec()
    wb = Workbook()
    write_sheet(wb.active, SURVEY_COLUMNS, survey)
    wb.active.title = "survey"
    write_sheet(wb.create_sheet("choices"), CHOICE_COLUMNS, choices)
    write_sheet(wb.create_sheet("settings"), SETTINGS_COLUMNS, [settings])
    path = os.path.join(FORMS_DIR, f"{name}.xlsx")
    save_reproducible(wb, path)
    print(f"wrote {os.path.relpath(path, REPO_ROOT)}")


if __name__ == "__main__":
    for name, spec in (("visite", visite), ("emission_radio", emission_radio), ("causerie", causerie)):
        build(name, spec)
