"""The leads and exports pages in headless Chromium against a real Suivi,
with visits sent over OpenRosa as phones do: leads listed (one per person
however the phone was written), a likely duplicate merged and the merge
undone from the page, a CSV export downloaded and read with Python's csv."""
import csv
import io
import json
import pathlib
import tempfile
import time
import urllib.request
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import sign_in
from test_dashboard import DAY, send_like_a_phone, visit_xml


def wait(driver, condition, seconds=15):
    return WebDriverWait(driver, seconds).until(condition)


def visit(name, phone, national_id="", departement="guediawaye"):
    xml = visit_xml(f"uuid:{uuid.uuid4()}", departement=departement)
    return (xml.replace("<artisan_name>Moussa Diop</artisan_name>", f"<artisan_name>{name}</artisan_name>")
               .replace("<phone>77 123 45 67</phone>", f"<phone>{phone}</phone>")
               .replace("<national_id>1234567890123</national_id>",
                        f"<national_id>{national_id}</national_id>" if national_id else "<national_id/>"))


def api(server, key, path):
    request = urllib.request.Request(f"{server.base_url}{path}", headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.loads(response.read())


def live_leads(server, key):
    leads = {}
    for lead in api(server, key, "/api/v1/leads?after=0&limit=1000")["leads"]:
        leads[lead["id"]] = lead
    return sorted((lead["name"], lead["phone"], lead["visit_count"]) for lead in leads.values() if lead["status"] == "lead")


def table_rows(driver, table):
    """Read in one script call: the page redraws its tables after each action."""
    return driver.execute_script(
        "return [...document.querySelectorAll(arguments[0] + ' tbody tr')].map(tr => [...tr.cells].map(td => td.textContent))",
        f"#{table}")


def send_visits(server):
    link = server.add_person(server.base_url)
    # The same artisan twice, the phone written two ways: one lead, two visits.
    send_like_a_phone(link, visit("Awa Sarr", "77 111 22 33"))
    send_like_a_phone(link, visit("Awa Sarr", "00221771112233"))
    # Same name, same département, different phones: a likely duplicate.
    send_like_a_phone(link, visit("Moussa Diop", "77 123 45 67"))
    send_like_a_phone(link, visit("Moussa Diop", "76 987 65 43"))
    # Another département, a formula-like note (neutralised in the export).
    send_like_a_phone(link, visit("Fatou Ba", "78 555 44 33", departement="pikine").replace(
        "<notes/>", "<notes>=HYPERLINK(\"http://x\")</notes>"))


def test_leads_are_listed_and_a_duplicate_is_merged_then_undone(server, browser):
    send_visits(server)
    key = server.add_api_key()
    assert live_leads(server, key) == [("Awa Sarr", "+221771112233", 2), ("Fatou Ba", "+221785554433", 1),
                                      ("Moussa Diop", "+221769876543", 1), ("Moussa Diop", "+221771234567", 1)]
    login, password = server.add_user("coordinatrice", role="coordinator")
    sign_in(browser, server, login, password, next_path="/admin/leads")
    wait(browser, lambda d: len(table_rows(d, "leads")) == 4)
    rows = sorted(table_rows(browser, "leads"))
    assert rows[0] == ["Awa Sarr", "+221771112233", "Guédiawaye", "pré-inscrit", "2"]
    assert [row[0] for row in rows] == ["Awa Sarr", "Fatou Ba", "Moussa Diop", "Moussa Diop"]

    wait(browser, lambda d: len(table_rows(d, "duplicates")) == 1 and "Moussa Diop" in table_rows(d, "duplicates")[0][0])
    pair = table_rows(browser, "duplicates")[0]
    assert "Moussa Diop" in pair[1] and pair[0] != pair[1]
    assert table_rows(browser, "merges") == [["Aucun."]]
    browser.find_element(By.XPATH, "//table[@id='duplicates']//button[normalize-space()='Fusionner']").click()
    wait(browser, lambda d: d.find_element(By.ID, "status").text.startswith("Fusion faite"))
    wait(browser, lambda d: len(table_rows(d, "leads")) == 3)
    assert [row[0] for row in table_rows(browser, "duplicates")] == ["Aucun."]
    merged = [lead for lead in api(server, key, "/api/v1/leads?after=0&limit=1000")["leads"] if lead["status"] == "merged"]
    assert len(merged) == 1 and merged[0]["name"] == "Moussa Diop"
    moussa = [row for row in table_rows(browser, "leads") if row[0] == "Moussa Diop"]
    assert len(moussa) == 1 and moussa[0][4] == "2"  # the kept lead holds both visits
    merge_row = table_rows(browser, "merges")[0]
    assert f"#{merged[0]['merged_into']}" in merge_row[0] and f"#{merged[0]['id']}" in merge_row[0]

    # Undone from what the page said right after the merge (the merge list has the same undo).
    assert browser.find_element(By.XPATH, "//table[@id='merges']//button[normalize-space()='Annuler']")
    browser.find_element(By.CSS_SELECTOR, "#status button.undo").click()
    wait(browser, lambda d: d.find_element(By.ID, "status").text.startswith("Fusion annulée"))
    wait(browser, lambda d: len(table_rows(d, "leads")) == 4)
    wait(browser, lambda d: table_rows(d, "merges")[0][2] == "annulée")
    # Undone: two leads again, kept apart (not proposed as duplicates again).
    assert [row[0] for row in table_rows(browser, "duplicates")] == ["Aucun."]
    assert live_leads(server, key) == [("Awa Sarr", "+221771112233", 2), ("Fatou Ba", "+221785554433", 1),
                                      ("Moussa Diop", "+221769876543", 1), ("Moussa Diop", "+221771234567", 1)]


def test_a_csv_export_is_downloaded_and_read_with_python(server, browser):
    send_visits(server)
    key = server.add_api_key()
    downloads = pathlib.Path(tempfile.mkdtemp(prefix="suivi-downloads-"))
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    login, password = server.add_user("coordinatrice", role="coordinator")
    sign_in(browser, server, login, password, next_path="/admin/exports")
    # Chosen by name from a list (it was a free-text code).
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#departement option[value='guediawaye']"))
    choice = Select(browser.find_element(By.ID, "departement"))
    assert "Guédiawaye" in [option.text for option in choice.options]
    choice.select_by_value("guediawaye")
    # Published forms are listed, by title.
    Select(browser.find_element(By.ID, "form")).select_by_visible_text("Visite d'atelier")
    browser.execute_script("""
        const set = (id, value) => { const input = document.getElementById(id); input.value = value;
                                     input.dispatchEvent(new Event('input')); };
        set('from', arguments[0]); set('to', arguments[0]);""", DAY)
    link = browser.find_element(By.ID, "csv")
    # Labels in the page's language for people (issue 18); codes are the API's default.
    assert link.get_attribute("href").endswith(
        f"/api/v1/forms/visite/submissions.csv?values=labels&lang=fr&from={DAY}&to={DAY}&departement=guediawaye")
    link.click()

    def downloaded(_):
        files = [path for path in downloads.iterdir() if path.suffix == ".csv"]
        return files[0] if files else None
    path = wait(browser, downloaded, seconds=30)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for Excel
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    names = sorted(row["Nom et prénom de l'artisan"] for row in rows)
    assert names == ["Awa Sarr", "Awa Sarr", "Moussa Diop", "Moussa Diop"]  # Pikine filtered out
    assert {row["Département"] for row in rows} == {"Guédiawaye"}
    assert {row["Compté dans le département"] for row in rows} == {"Guédiawaye"}
    assert {row["Sexe"] for row in rows} <= {"Femme", "Homme"}
    api_rows = api(server, key, "/api/v1/submissions?form=visite&limit=100")["submissions"]
    instance_ids = {line[1] for line in list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))[1:]}
    assert instance_ids == {row["instance_id"] for row in api_rows if row["departement"] == "guediawaye"}
    # The whole form, every département: the formula is neutralised.
    browser.execute_script("""
        for (const id of ['from', 'to', 'departement']) { const input = document.getElementById(id);
          input.value = ''; input.dispatchEvent(new Event('input')); }""")
    path.unlink()
    browser.find_element(By.ID, "csv").click()
    path = wait(browser, downloaded, seconds=30)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    assert len(rows) == 5
    fatou = next(row for row in rows if row["Nom et prénom de l'artisan"] == "Fatou Ba")
    assert fatou["Observations"] == "'=HYPERLINK(\"http://x\")"
    actions = [entry["action"] for entry in api(server, key, "/api/v1/audit?action=export")["entries"]]
    assert len(actions) == 2


def test_the_leads_and_exports_pages_fit_a_phone_and_switch_to_english(server, phone):
    send_visits(server)
    login, password = server.add_user("coordinatrice", role="coordinator")
    sign_in(phone, server, login, password, next_path="/admin/leads")
    wait(phone, lambda d: len(table_rows(d, "leads")) == 4)
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 360
    phone.find_element(By.ID, "language").click()
    wait(phone, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Leads")
    wait(phone, lambda d: len(table_rows(d, "leads")) == 4)
    assert "lead" in [row[3] for row in table_rows(phone, "leads")]
    phone.get(f"{phone.current_url.split('/admin')[0]}/admin/exports")
    wait(phone, EC.presence_of_element_located((By.ID, "sign-out")))
    assert phone.find_element(By.ID, "csv").text == "Download as CSV"
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 360
