"""Issue 18: the coordinator pages read at a glance on a laptop and on a
360-px phone, in French and in English. Screenshots of every page go to
.build/web-screenshots/ (names like dashboard-360-fr.png) for a person to
look at."""
import sqlite3
import uuid

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import sign_in
from test_dashboard import DAY, send_like_a_phone, text_of, visit_xml

PAGES = ["/admin", "/admin/report", "/admin/leads", "/admin/exports", "/admin/indicators", "/admin/forms", "/admin/campaigns",
         "/admin/targets", "/admin/people", "/admin/qr-sheet", "/admin/users", "/admin/audit", "/admin/account"]


def dakar_phase(server):
    """The Dakar phase of March 2023 with a target, written as a campaign set up earlier would be."""
    connection = sqlite3.connect(server.database)
    with connection:
        connection.executescript("""
            INSERT INTO campaigns (id, name, starts_on, ends_on, created_at) VALUES (1, 'Campagne 2023', '2023-03-01', '2023-12-31', '2023-02-01T00:00:00Z');
            INSERT INTO campaign_phases (id, campaign_id, name, position, starts_on, ends_on) VALUES (1, 1, 'Dakar', 1, '2023-03-07', '2023-03-11');
            INSERT INTO campaign_days (phase_id, departement_code, day) VALUES
                (1, 'rufisque', '2023-03-07'), (1, 'keur-massar', '2023-03-08'), (1, 'guediawaye', '2023-03-09'),
                (1, 'pikine', '2023-03-10'), (1, 'dakar', '2023-03-11');
            INSERT INTO targets (phase_id, indicator_id, departement_code, baseline, milestone, target, updated_at) VALUES
                (1, 'visits', 'guediawaye', 0, 80, 160, '2023-02-01T00:00:00Z'),
                (1, 'visits', 'pikine', 0, 80, 3700, '2023-02-01T00:00:00Z'),
                (1, 'pre_registrations', 'guediawaye', 0, 20, 40, '2023-02-01T00:00:00Z');
        """)
        # Picked before the campaign: active since 1 March.
        connection.execute("UPDATE resource_person_activity SET from_day = '2023-03-01' WHERE until_day IS NULL")
    connection.close()


@pytest.fixture
def campaign(server):
    link = server.add_person(server.base_url)
    server.add_person(server.base_url, name="Ibrahima Sow", departement="Pikine")
    dakar_phase(server)
    for index in range(3):
        send_like_a_phone(link, visit_xml(f"uuid:{uuid.uuid4()}", wants_to_join="yes" if index else "no"))
    return server.add_user("admin-campagne", role="admin")


def choose_language(driver, code):
    driver.execute_script("localStorage.setItem('suivi.language', arguments[0])", code)


def loaded(driver, path):
    """Waits until the page has drawn itself (the bar, then a quiet moment)."""
    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.ID, "sign-out") or d.find_elements(By.ID, "login"))
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")
    if path in ("/admin", "/admin/report"):
        WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.body.dataset.loaded"))
    driver.execute_script("return new Promise((done) => setTimeout(done, 300))")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_no_page_scrolls_sideways_at_360_px(server, phone, campaign, screenshots, language):
    login, password = campaign
    sign_in(phone, server, login, password, next_path="/admin")
    choose_language(phone, language)
    wide = []
    for path in PAGES:
        query = f"?date={DAY}" if path in ("/admin", "/admin/report") else ""
        phone.get(f"{server.base_url}{path}{query}")
        loaded(phone, path)
        name = path.strip("/").replace("admin/", "").replace("admin", "dashboard") or "dashboard"
        phone.save_screenshot(str(screenshots / f"{name}-360-{language}.png"))
        width = phone.execute_script("return document.documentElement.scrollWidth")
        if width > 360:
            wide.append((path, width))
        # The menu is folded: the page's own title is on the first screen.
        top = phone.execute_script("const m = document.querySelector('main'); return m ? m.getBoundingClientRect().top : 0")
        assert top < 150, f"{path}: the page's content starts at {top} px"
    assert not wide, f"pages wider than 360 px: {wide}"


def test_the_menu_opens_and_closes_at_360_px(server, phone, campaign):
    login, password = campaign
    sign_in(phone, server, login, password, next_path="/admin")
    loaded(phone, "/admin")
    menu = phone.find_element(By.ID, "menu-toggle")
    assert not phone.find_element(By.CSS_SELECTOR, ".admin-bar nav a[href='/admin/leads']").is_displayed()
    menu.click()
    assert phone.find_element(By.CSS_SELECTOR, ".admin-bar nav a[href='/admin/leads']").is_displayed()
    assert menu.get_attribute("aria-expanded") == "true"


def test_the_dashboard_keeps_day_and_place_in_the_url(server, browser, campaign, screenshots):
    login, password = campaign
    sign_in(browser, server, login, password, next_path="/admin")
    browser.get(f"{server.base_url}/admin?date={DAY}")
    wait = WebDriverWait(browser, 15)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, 'button.drill[data-key="dakar"]'))
    browser.find_element(By.CSS_SELECTOR, 'button.drill[data-key="dakar"]').click()
    wait.until(lambda d: "region=dakar" in d.current_url)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, 'button.drill[data-key="guediawaye"]'))
    browser.find_element(By.CSS_SELECTOR, 'button.drill[data-key="guediawaye"]').click()
    wait.until(lambda d: "departement=guediawaye" in d.current_url)
    assert f"date={DAY}" in browser.current_url
    browser.save_screenshot(str(screenshots / "dashboard-1280-guediawaye-fr.png"))
    # A shared link (or a reload) opens the same view.
    browser.refresh()
    wait.until(lambda d: text_of(d, "#current-place") == "Guédiawaye")
    # Back goes up one level, not to the sign-in page.
    browser.back()
    wait.until(lambda d: text_of(d, "#current-place") == "Dakar")
    assert "/admin/login" not in browser.current_url
    browser.save_screenshot(str(screenshots / "dashboard-1280-dakar-fr.png"))
    # Guédiawaye (3 visits of 160) and Pikine (0 of 3,700) against target, furthest behind first;
    # the three départements with nothing are folded away.
    keys = browser.execute_script("return [...document.querySelectorAll('#breakdown tbody tr')].map((r) => r.dataset.key)")
    assert keys == ["pikine", "guediawaye"], keys
    assert "3 / 160" in text_of(browser, '#breakdown tr[data-key="guediawaye"]')
    # Every indicator with a target, not visits only: two pre-registrations of 40.
    assert text_of(browser, '#breakdown tr[data-key="guediawaye"] [data-indicator="pre_registrations"]').startswith(
        "Pré-inscriptions : 2 / 40")
    browser.back()
    wait.until(lambda d: text_of(d, "#current-place") == "Sénégal")


def test_the_menus_daily_report_opens_on_the_dashboards_day(server, browser, campaign):
    login, password = campaign
    sign_in(browser, server, login, password, next_path="/admin")
    WebDriverWait(browser, 15).until(lambda d: d.execute_script("return document.body.dataset.loaded"))
    dashboard_day = browser.find_element(By.ID, "day").get_attribute("value")
    browser.find_element(By.CSS_SELECTOR, ".admin-bar nav a[href^='/admin/report']").click()
    WebDriverWait(browser, 15).until(lambda d: d.execute_script("return document.body.dataset.loaded"))
    assert dashboard_day.startswith("2023-03")
    assert browser.find_element(By.ID, "day").get_attribute("value") == dashboard_day


def test_the_daily_report_in_english_is_english(server, browser, campaign):
    login, password = campaign
    sign_in(browser, server, login, password, next_path="/admin")
    choose_language(browser, "en")
    browser.get(f"{server.base_url}/admin/report?date={DAY}")
    WebDriverWait(browser, 15).until(lambda d: d.execute_script("return document.body.dataset.loaded") == DAY)
    text = browser.find_element(By.TAG_NAME, "main").text
    for french in ["Bilan", "Objectifs", "Complétude", "Visites", "Région", "Attendus", "Émissions", "Cible", "Réalisé"]:
        assert french not in text, french
    assert "Visits" in text and "Reporting completeness" in text


def test_numbers_follow_the_language(server, browser, campaign):
    login, password = campaign
    sign_in(browser, server, login, password, next_path="/admin")
    browser.get(f"{server.base_url}/admin/report?date=2023-03-11")
    WebDriverWait(browser, 15).until(lambda d: d.execute_script("return document.body.dataset.loaded"))
    text = browser.find_element(By.TAG_NAME, "main").text
    # Visits target over the phase: 160 + 3,700.
    assert "3860" not in text and "3\u202f860" in text.replace("\u00a0", "\u202f")
    assert not any(part for part in text.split() if part.count(".") == 1 and part.replace(".", "").isdigit())


def test_qr_cards_printed_on_a4_keep_all_three_instructions(server, browser, campaign, screenshots):
    login, password = campaign
    sign_in(browser, server, login, password, next_path="/admin")
    browser.get(f"{server.base_url}/admin/qr-sheet")
    wait = WebDriverWait(browser, 15)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#departement option[value='guediawaye']"))
    browser.execute_script("document.getElementById('departement').value = 'guediawaye'")
    browser.find_element(By.ID, "confirm").click()
    browser.find_element(By.ID, "prepare-submit").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#sheet .card ol li"))
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    # A4 printable width at 10 mm margins (190 mm) in CSS pixels.
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": int(190 / 25.4 * 96), "height": int(277 / 25.4 * 96), "deviceScaleFactor": 1, "mobile": False})
    browser.execute_script("return new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert browser.execute_script("return document.documentElement.clientWidth") == int(190 / 25.4 * 96)
    cut = browser.execute_script("""
        return [...document.querySelectorAll('#sheet .card')].filter((card) => {
          const bottom = card.getBoundingClientRect().bottom;
          return [...card.querySelectorAll('li')].some((item) => item.getBoundingClientRect().bottom > bottom - 2);
        }).length""")
    browser.save_screenshot(str(screenshots / "qr-sheet-print.png"))
    assert cut == 0, f"{cut} cards lose an instruction"


def test_people_rows_keep_their_actions_in_reach_at_360_px(server, phone, campaign, screenshots):
    login, password = campaign
    sign_in(phone, server, login, password, next_path="/admin")
    phone.get(f"{server.base_url}/admin/people")
    WebDriverWait(phone, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#people button.edit"))
    rows = phone.execute_script("""
        return [...document.querySelectorAll('#people tbody tr')].map((row) => ({
          height: row.getBoundingClientRect().height,
          right: Math.max(...[...row.querySelectorAll('button')].map((b) => b.getBoundingClientRect().right))}))""")
    phone.save_screenshot(str(screenshots / "people-rows-360.png"))
    # Before: ~400 px per person, the buttons beyond the right edge.
    assert rows and all(row["height"] < 180 for row in rows), rows
    assert all(row["right"] <= 360 for row in rows), rows


@pytest.mark.parametrize("language", ["fr", "en"])
def test_duplicate_leads_show_enough_to_decide_and_merging_says_so(server, phone, screenshots, language):
    from test_leads_exports import send_visits, table_rows
    send_visits(server)
    login, password = server.add_user("coordinatrice", role="coordinator")
    sign_in(phone, server, login, password, next_path="/admin/leads")
    choose_language(phone, language)
    phone.get(f"{server.base_url}/admin/leads")
    wait = WebDriverWait(phone, 15)
    wait.until(lambda d: len(table_rows(d, "leads")) == 4 and len(table_rows(d, "duplicates")) == 1)
    pair = " ".join(table_rows(phone, "duplicates")[0])
    trade = "Couture" if language == "fr" else "Tailoring"
    for expected in ["Guédiawaye", trade, "+221771234567", "Wakhinane Nimzatt", "OPA Couture"]:
        assert expected in pair, expected
    assert "guediawaye" not in pair and "tailoring" not in pair
    assert all(row[2] in ("Guédiawaye", "Pikine") for row in table_rows(phone, "leads"))
    colours = phone.execute_script("""return [...document.querySelectorAll('#duplicates button')]
        .map((b) => getComputedStyle(b).backgroundColor)""")
    assert len(set(colours)) == 2, colours
    phone.save_screenshot(str(screenshots / f"leads-duplicates-360-{language}.png"))
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 360
    phone.find_element(By.CSS_SELECTOR, "#duplicates button.merge").click()
    wait.until(lambda d: d.find_element(By.ID, "status").is_displayed())
    message = phone.find_element(By.ID, "status").text
    assert ("Fusion faite" if language == "fr" else "Merged:") in message, message


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_audit_log_names_actions_and_places(server, browser, campaign, language):
    login, password = campaign
    sign_in(browser, server, login, password, next_path="/admin")
    # Something a coordinator does: deactivate a resource person (audited as person.deactivate).
    browser.get(f"{server.base_url}/admin/people")
    WebDriverWait(browser, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#people button.toggle"))
    browser.find_element(By.CSS_SELECTOR, "#people button.toggle").click()
    choose_language(browser, language)
    browser.get(f"{server.base_url}/admin/audit")
    wait = WebDriverWait(browser, 15)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#entries tbody tr[data-action]"))
    text = browser.find_element(By.ID, "entries").text
    assert "person.deactivate" not in text
    assert ("Personne ressource désactivée" if language == "fr" else "Resource person deactivated") in text
    options = browser.execute_script("return [...document.querySelectorAll('#action option')].map((o) => o.value)")
    assert {"person.add", "target.set", "lead.merge", "submission.review"} <= set(options)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_admin_page_loads_without_console_errors(server, browser, campaign, language):
    login, password = campaign
    sign_in(browser, server, login, password, next_path="/admin")
    choose_language(browser, language)
    browser.get_log("browser")  # what came before is not these pages'
    errors = []
    for path in PAGES:
        browser.get(f"{server.base_url}{path}")
        loaded(browser, path)
        errors += [(path, entry["message"]) for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors


def test_a_refused_sign_in_shows_no_field_name(server, browser):
    login, _ = server.add_user("coordinatrice", role="coordinator")
    browser.get(f"{server.base_url}/admin/login")
    browser.find_element(By.ID, "login").send_keys(login)
    browser.find_element(By.ID, "password").send_keys("pas-le-bon-mot-de-passe")
    browser.find_element(By.ID, "submit").click()
    message = WebDriverWait(browser, 15).until(
        lambda d: d.execute_script("const e = document.querySelector('#error, .error, [role=alert]'); return e && e.textContent.trim()"))
    assert "(password)" not in message and "(login)" not in message, message


def test_a_place_whose_campaign_day_was_before_says_so_and_leads_there(server, browser, campaign, screenshots):
    """Zeros alone read as "nothing done": a département with no campaign
    day on the day looked at shows its last one, a tap away."""
    login, password = campaign
    sign_in(browser, server, login, password, next_path="/admin")
    choose_language(browser, "fr")
    browser.get(f"{server.base_url}/admin?date={DAY}&region=dakar")
    loaded(browser, "/admin")
    hint = browser.find_element(By.CSS_SELECTOR, "tr[data-key='keur-massar'] .campaign-day-hint")
    assert hint.get_attribute("textContent").startswith("Jour de campagne : 8 mars 2023")
    assert not browser.find_elements(By.CSS_SELECTOR, "tr[data-key='guediawaye'] .campaign-day-hint"), "its day is today"
    assert not browser.find_elements(By.CSS_SELECTOR, "tr[data-key='pikine'] .campaign-day-hint"), "its day is to come"
    browser.execute_script("arguments[0].click()", hint.find_element(By.CSS_SELECTOR, "button.see-day"))
    WebDriverWait(browser, 15).until(lambda d: "date=2023-03-08" in d.current_url)

    browser.get(f"{server.base_url}/admin?date={DAY}&departement=rufisque")
    loaded(browser, "/admin")
    note = browser.find_element(By.ID, "campaign-day-note")
    assert note.is_displayed() and "7 mars 2023" in note.text and "Rufisque" in note.text
    browser.save_screenshot(str(screenshots / "dashboard-campaign-day-note.png"))
    browser.get(f"{server.base_url}/admin?date={DAY}&departement=guediawaye")
    loaded(browser, "/admin")
    assert not browser.find_element(By.ID, "campaign-day-note").is_displayed()
