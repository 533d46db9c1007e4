"""The indicators page in headless Chromium against a real Suivi: an admin
adds an indicator without a code change, it counts the records already
received and shows in the tallies API; French first, English on the
switch, usable at 360 px."""
import json
import urllib.request
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import sign_in
from test_dashboard import DAY, send_like_a_phone, visit_xml


def wait(driver, condition, seconds=15):
    return WebDriverWait(driver, seconds).until(condition)


def tallies(server, key):
    request = urllib.request.Request(f"{server.base_url}/api/v1/tallies?from={DAY}&to={DAY}",
                                     headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.loads(response.read())


def visit(sex):
    return visit_xml(f"uuid:{uuid.uuid4()}").replace("<sex>male</sex>", f"<sex>{sex}</sex>")


def test_an_admin_adds_an_indicator_that_counts_stored_and_new_records(server, browser):
    link = server.add_person(server.base_url)
    key = server.add_api_key(role="viewer")
    for sex in ["female", "female", "male"]:
        send_like_a_phone(link, visit(sex))
    login, password = server.add_user("admin", role="admin")
    sign_in(browser, server, login, password, next_path="/admin/indicators")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, '#indicators tr[data-id="visits"]'))
    # The shipped ones are listed with their sources.
    row = browser.find_element(By.CSS_SELECTOR, '#indicators tr[data-id="pre_registrations"]').text
    assert "wants_to_join = yes" in row and "Visite" in row

    # Sources are picked from the form's questions (GET /api/v1/forms): only
    # numeric answers can be summed, only questions with choices filtered on.
    browser.find_element(By.ID, "id").send_keys("femmes_visitees")
    browser.find_element(By.ID, "name-fr").send_keys("Femmes visitées")
    browser.find_element(By.ID, "name-en").send_keys("Women visited")
    form = Select(browser.find_element(By.ID, "source-0-form"))
    assert [o.get_attribute("value") for o in form.options] == ["causerie", "emission_radio", "visite"]
    form.select_by_value("visite")
    Select(browser.find_element(By.ID, "source-0-aggregate")).select_by_value("sum")
    summable = [o.get_attribute("value") for o in Select(browser.find_element(By.ID, "source-0-sum_field")).options]
    assert "household_size" in summable and "artisan_name" not in summable
    form.select_by_value("causerie")
    summable = [o.get_attribute("value") for o in Select(browser.find_element(By.ID, "source-0-sum_field")).options]
    assert "participants_women" in summable and "household_size" not in summable
    form.select_by_value("visite")
    Select(browser.find_element(By.ID, "source-0-aggregate")).select_by_value("count")
    assert not browser.find_element(By.ID, "source-0-sum_field").is_displayed()
    assert not browser.find_element(By.ID, "source-0-filter_value").is_displayed()
    Select(browser.find_element(By.ID, "source-0-filter_field")).select_by_value("sex")
    choices = Select(browser.find_element(By.ID, "source-0-filter_value"))
    assert [o.get_attribute("value") for o in choices.options] == ["female", "male"]
    assert "Femme" in choices.options[0].text
    choices.select_by_value("female")
    browser.find_element(By.ID, "save").click()
    wait(browser, lambda d: "ajouté" in d.find_element(By.ID, "status").text)
    assert "2 fiche(s)" in browser.find_element(By.ID, "status").text
    row = wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, '#indicators tr[data-id="femmes_visitees"]'))[0].text
    assert "Femmes visitées" in row and "sex = female" in row

    values = {(r["departement"], r["indicator"]): r["value"] for r in tallies(server, key)}
    assert values[("Guédiawaye", "femmes_visitees")] == 2
    send_like_a_phone(link, visit("female"))
    values = {(r["departement"], r["indicator"]): r["value"] for r in tallies(server, key)}
    assert values[("Guédiawaye", "femmes_visitees")] == 3

    # The dashboard lists it among the indicators it can show.
    browser.get(f"{server.base_url}/admin?date={DAY}")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, '.card[data-indicator="femmes_visitees"]'))

    # Switched off (after a confirmation), its totals go; on again, every
    # stored record counts again. Memberships cannot be switched off.
    browser.get(f"{server.base_url}/admin/indicators")
    switch = '#indicators tr[data-id="femmes_visitees"] button.switch'
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, switch))[0].click()
    wait(browser, EC.alert_is_present()).accept()
    wait(browser, lambda d: "désactivé" in d.find_element(By.ID, "status").text)
    assert not [r for r in tallies(server, key) if r["indicator"] == "femmes_visitees"]
    assert "inactif" in browser.find_element(By.CSS_SELECTOR, '#indicators tr[data-id="femmes_visitees"]').text
    assert not browser.find_elements(By.CSS_SELECTOR, '#indicators tr[data-id="memberships"] button.switch')
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, switch))[0].click()
    wait(browser, lambda d: "réactivé : 3 fiche(s)" in d.find_element(By.ID, "status").text)
    values = {(r["departement"], r["indicator"]): r["value"] for r in tallies(server, key)}
    assert values[("Guédiawaye", "femmes_visitees")] == 3


def test_coordinators_may_not_add_indicators(server, browser):
    login, password = server.add_user("coordinatrice", role="coordinator")
    sign_in(browser, server, login, password, next_path="/admin/indicators")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, '#indicators tr[data-id="visits"]'))
    browser.find_element(By.ID, "id").send_keys("essai")
    browser.find_element(By.ID, "name-fr").send_keys("Essai")
    browser.find_element(By.ID, "name-en").send_keys("Trial")
    browser.find_element(By.ID, "save").click()
    wait(browser, lambda d: "Votre rôle ne permet pas cette action." in d.find_element(By.ID, "status").text)
    assert server.rows("SELECT count(*) FROM indicators WHERE id = 'essai'") == [(0,)]


def test_the_indicators_page_fits_a_phone_and_switches_to_english(server, phone):
    login, password = server.add_user("admin", role="admin")
    sign_in(phone, server, login, password, next_path="/admin/indicators")
    wait(phone, EC.presence_of_element_located((By.CSS_SELECTOR, '#indicators tr[data-id="visits"]')))
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 360
    phone.find_element(By.ID, "language").click()
    wait(phone, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Indicators")
    wait(phone, EC.presence_of_element_located((By.CSS_SELECTOR, '#indicators tr[data-id="visits"]')))
    assert "Add the indicator" in phone.find_element(By.ID, "save").text
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 360
