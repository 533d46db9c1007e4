"""The dashboard and the daily report in headless Chromium, against a real
Suivi: a record sent over OpenRosa (as a phone does) shows up on an open
dashboard without a reload; the XLSX holds the same numbers as the API."""
import base64
import io
import json
import time
import urllib.request
import uuid

import openpyxl
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import sign_in

DAY = "2023-03-09"


def visit_xml(instance_id, wants_to_join="yes", departement="guediawaye"):
    answers = [
        ("start", f"{DAY}T09:00:00.000+00:00"), ("end", f"{DAY}T09:12:00.000+00:00"), ("visit_date", DAY),
        ("departement", departement), ("neighbourhood", "Wakhinane Nimzatt"), ("artisan_name", "Moussa Diop"),
        ("sex", "male"), ("phone", "77 123 45 67"), ("national_id", "1234567890123"), ("trade", "tailoring"),
        ("trade_other", ""), ("organisation", "OPA Couture"), ("materials", "flyer poster"), ("informed_terms", "yes"),
        ("wants_to_join", wants_to_join), ("household_size", "9"), ("consent_contact", "yes"),
        ("location", "14.7645 -17.3660 12 5"), ("notes", ""),
    ]
    body = "".join(f"<{name}/>" if not value else f"<{name}>{value}</{name}>" for name, value in answers)
    return (f'<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" id="visite" version="2026112301">'
            f"{body}<meta><instanceID>{instance_id}</instanceID></meta></data>")


def send_like_a_phone(link, xml):
    """An OpenRosa POST, multipart/form-data with xml_submission_file, as ODK Collect sends it."""
    boundary = "----suivi" + uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; filename=\"submission.xml\"\r\n"
            f"Content-Type: text/xml\r\n\r\n{xml}\r\n--{boundary}--\r\n").encode()
    request = urllib.request.Request(f"{link}/submission", data=body, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "X-OpenRosa-Version": "1.0"})
    with urllib.request.urlopen(request, timeout=20) as response:
        assert response.status == 201


def get(server, path, key):
    request = urllib.request.Request(f"{server.base_url}{path}", headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return response.read()


def text_of(browser, selector):
    """Read in one script call: the page redraws its tables on every update."""
    return browser.execute_script("const node = document.querySelector(arguments[0]); return node ? node.textContent : null",
                                  selector)


def card_value(browser, indicator):
    return text_of(browser, f'.card[data-indicator="{indicator}"] .value')


def test_a_record_sent_by_a_phone_appears_on_the_open_dashboard(server, browser, screenshots):
    link = server.add_person(server.base_url)
    login, password = server.add_user("coordinatrice", role="coordinator")
    sign_in(browser, server, login, password, next_path="/admin")
    browser.get(f"{server.base_url}/admin?date={DAY}")
    wait = WebDriverWait(browser, 15)
    wait.until(lambda driver: driver.find_elements(By.CSS_SELECTOR, '.card[data-indicator="visits"]'))
    wait.until(lambda driver: driver.execute_script("return document.getElementById('live').dataset.state") == "live")
    assert card_value(browser, "visits") == "0"
    assert browser.execute_script("return typeof window.Chart") == "function"
    marker = browser.execute_script("return document.body.dataset.loaded")

    send_like_a_phone(link, visit_xml(f"uuid:{uuid.uuid4()}"))
    sent = time.monotonic()
    WebDriverWait(browser, 5, poll_frequency=0.05).until(lambda driver: card_value(driver, "visits") == "1")
    elapsed = time.monotonic() - sent
    assert elapsed < 2.0, f"dashboard took {elapsed:.2f} s"
    # Updated in place: the same page, no reload.
    assert browser.execute_script("return performance.getEntriesByType('navigation').length") == 1
    assert browser.execute_script("return document.body.dataset.loaded") != marker
    assert card_value(browser, "pre_registrations") == "1"

    # Drill down: region Dakar, then its départements.
    wait.until(lambda driver: driver.execute_script(
        "const button = document.querySelector('button.drill[data-key=\"dakar\"]'); if (button) button.click(); return !!button"))
    wait.until(lambda driver: text_of(driver, "#current-place") == "Dakar")
    wait.until(lambda driver: driver.find_elements(By.CSS_SELECTOR, 'button.drill[data-key="guediawaye"]'))
    assert text_of(browser, '#breakdown tr[data-key="guediawaye"] td.number') == "1"
    send_like_a_phone(link, visit_xml(f"uuid:{uuid.uuid4()}", wants_to_join="no"))
    WebDriverWait(browser, 5, poll_frequency=0.05).until(
        lambda driver: text_of(driver, '#breakdown tr[data-key="guediawaye"] td.number') == "2")
    browser.save_screenshot(str(screenshots / "dashboard.png"))


def test_the_daily_report_and_its_xlsx_hold_the_api_numbers(server, browser, screenshots):
    link = server.add_person(server.base_url)
    second = server.add_person(server.base_url, name="Ibrahima Sow", departement="Pikine")
    for index in range(3):
        send_like_a_phone(link, visit_xml(f"uuid:{uuid.uuid4()}", wants_to_join="yes" if index else "no"))
    send_like_a_phone(second, visit_xml(f"uuid:{uuid.uuid4()}", departement="pikine"))
    key = server.add_api_key(role="viewer")

    rows = json.loads(get(server, f"/api/v1/tallies?from={DAY}&to={DAY}", key))
    expected = {(row["departement"], row["indicator"]): row["value"] for row in rows}
    assert expected[("Guédiawaye", "visits")] == 3
    assert expected[("Pikine", "visits")] == 1

    workbook = openpyxl.load_workbook(io.BytesIO(get(server, f"/api/v1/reports/daily?date={DAY}&format=xlsx", key)))
    sheet = workbook["Bilan"]
    header = [cell.value for cell in sheet[3]]
    found = {}
    names = {"Visites": "visits", "Pré-inscriptions": "pre_registrations", "Personnes touchées": "people_reached"}
    for line in sheet.iter_rows(min_row=4, values_only=True):
        if line[0] == "Total":
            continue
        for column, title in enumerate(header):
            if title in names:
                found[(line[1], names[title])] = line[column]
    for (departement, indicator), value in expected.items():
        if indicator in names.values():
            assert found[(departement, indicator)] == value, (departement, indicator)
    assert set(workbook.sheetnames) == {"Bilan", "Objectifs", "Complétude", "Radio"}

    login, password = server.add_user("lecteur", role="viewer")
    sign_in(browser, server, login, password, next_path="/admin")
    browser.get(f"{server.base_url}/admin/report?date={DAY}")
    WebDriverWait(browser, 15).until(lambda driver: driver.execute_script("return document.body.dataset.loaded") == DAY)
    text = browser.find_element(By.ID, "report-tallies").text
    assert "Guédiawaye" in text and "Pikine" in text
    browser.save_screenshot(str(screenshots / "daily-report.png"))
    # One A4 page when printed.
    pdf = base64.b64decode(browser.execute_cdp_cmd(
        "Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": True})["data"])
    pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
    assert pages == 1, f"{pages} pages"
