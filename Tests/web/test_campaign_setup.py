"""A whole campaign set-up in headless Chromium: create a campaign with a
phase, a campaign day and a neighbourhood, import resource persons from a
CSV file, prepare the printable QR sheet of a département, set a target,
and revoke a link (the old link then answers 403)."""
import time
import urllib.error
import urllib.request

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import sign_in

PEOPLE_CSV = (
    "\ufeffNom;Téléphone;Département;Organisation\r\n"
    "Mariama Ba;77 200 00 01;Pikine;OPA Couture\r\n"
    "Ousmane Diallo;+221 78 200 00 02;Pikine;\r\n"
    "Khady Fall;77 200 00 03;Rufisque;OPA Cuir\r\n"
    "Moussa Diop;12345;Pikine;\r\n"
    "Aïda Ndoye;77 200 00 05;Atlantis;\r\n"
    ";77 200 00 06;Dakar;\r\n"
    "Ndèye Sarr;772000001;Dakar;\r\n"
)


def status_of(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def set_value(driver, element, value):
    """Date inputs take typed text in the browser's locale; set the value as a script would."""
    driver.execute_script("arguments[0].value = arguments[1]", element, value)


def wait(driver, seconds=15):
    # Pages redraw their tables after each change: an element read while
    # being replaced is looked up again.
    return WebDriverWait(driver, seconds, ignored_exceptions=(StaleElementReferenceException,))


def again(action, attempts=5):
    """Runs `action`, which looks its elements up itself, once more when the
    page redrew them under it (a refresh landing late on a loaded machine)."""
    for attempt in range(attempts):
        try:
            return action()
        except StaleElementReferenceException:
            if attempt == attempts - 1:
                raise
            time.sleep(0.3)


def test_a_coordinator_sets_a_campaign_up_from_the_browser(server, browser, tmp_path, screenshots):
    login, password = server.add_user("coordination", role="coordinator")
    sign_in(browser, server, login, password, "/admin/campaigns")

    # 1. A campaign with its Dakar phase, a campaign day and a neighbourhood.
    browser.find_element(By.CSS_SELECTOR, "#new-campaign-box summary").click()
    browser.find_element(By.ID, "campaign-name").send_keys("Campagne RSPC 2023")
    set_value(browser, browser.find_element(By.ID, "campaign-start"), "2023-03-01")
    set_value(browser, browser.find_element(By.ID, "campaign-end"), "2023-06-30")
    browser.find_element(By.ID, "phase-name").send_keys("Dakar")
    set_value(browser, browser.find_element(By.ID, "phase-start"), "2023-03-07")
    set_value(browser, browser.find_element(By.ID, "phase-end"), "2023-03-11")
    browser.find_element(By.ID, "create-campaign").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "section.phase[data-phase='Dakar']")))

    def add_day():
        phase = browser.find_element(By.CSS_SELECTOR, "section.phase[data-phase='Dakar']")
        Select(phase.find_element(By.CSS_SELECTOR, ".day-departement")).select_by_value("rufisque")
        set_value(browser, phase.find_element(By.CSS_SELECTOR, ".day-date"), "2023-03-07")
        phase.find_element(By.CSS_SELECTOR, ".add-day button").click()
    again(add_day)
    wait(browser).until(lambda d: "Rufisque" in d.find_element(By.CSS_SELECTOR, "section.phase .days").text)

    def add_neighbourhood():
        phase = browser.find_element(By.CSS_SELECTOR, "section.phase[data-phase='Dakar']")
        Select(phase.find_element(By.CSS_SELECTOR, ".neighbourhood-departement")).select_by_value("pikine")
        name = phase.find_element(By.CSS_SELECTOR, ".neighbourhood-name")
        name.clear()
        name.send_keys("Thiaroye")
        phase.find_element(By.CSS_SELECTOR, ".add-neighbourhood button").click()
    again(add_neighbourhood)
    wait(browser).until(lambda d: "Thiaroye" in d.find_element(By.CSS_SELECTOR, "section.phase .neighbourhoods").text)
    assert server.rows("SELECT departement_code, day FROM campaign_days") == [("rufisque", "2023-03-07")]
    browser.save_screenshot(str(screenshots / "campaign-setup-campaigns.png"))

    # 2. A target for the phase, then its history after a change.
    browser.get(f"{server.base_url}/admin/targets")
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#add-indicator option")))
    Select(browser.find_element(By.ID, "add-indicator")).select_by_value("visits")
    Select(browser.find_element(By.ID, "add-departement")).select_by_value("pikine")
    browser.find_element(By.ID, "add-milestone").send_keys("150")
    browser.find_element(By.ID, "add-target").send_keys("200")
    browser.find_element(By.ID, "add-submit").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#targets tr[data-indicator='visits']")))

    def change_target():
        row = browser.find_element(By.CSS_SELECTOR, "#targets tr[data-indicator='visits']")
        goal = row.find_element(By.CSS_SELECTOR, "input.target")
        goal.clear()
        goal.send_keys("250")
        row.find_element(By.CSS_SELECTOR, "button.save").click()
    again(change_target)
    wait(browser).until(lambda d: d.find_element(By.CSS_SELECTOR, "#targets tr[data-indicator='visits'] input.target")
                        .get_attribute("value") == "250")
    browser.find_element(By.CSS_SELECTOR, "#targets tr[data-indicator='visits'] button.history").click()
    wait(browser).until(EC.visibility_of_element_located((By.ID, "history")))
    wait(browser).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#history tbody tr")) == 2)
    assert again(lambda: "coordination" in browser.find_element(By.ID, "history").text)

    # 3. Import people from a CSV file: a per-row report, links shown once.
    csv_file = tmp_path / "personnes.csv"
    csv_file.write_text(PEOPLE_CSV, encoding="utf-8")
    browser.get(f"{server.base_url}/admin/people")
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#people tbody tr")))
    browser.find_element(By.CSS_SELECTOR, "#import-box summary").click()
    browser.find_element(By.ID, "import-file").send_keys(str(csv_file))
    browser.find_element(By.ID, "import-submit").click()
    summary = wait(browser).until(EC.visibility_of_element_located((By.ID, "import-summary")))
    assert summary.text.startswith("3 ligne(s) acceptée(s) · 4 ligne(s) rejetée(s)")
    rejected = {row.get_attribute("data-row"): row.text for row in browser.find_elements(By.CSS_SELECTOR, "#rejected tbody tr")}
    assert "Numéro de téléphone non valide" in rejected["5"]
    assert "Département inconnu" in rejected["6"]
    assert "Nom manquant" in rejected["7"]
    assert "Même téléphone qu'à la ligne 2" in rejected["8"]
    links = {cells[1].text: cells[3].text for cells in
             (row.find_elements(By.TAG_NAME, "td") for row in browser.find_elements(By.CSS_SELECTOR, "#accepted tbody tr"))}
    assert set(links) == {"Mariama Ba", "Ousmane Diallo", "Khady Fall"}
    assert all(status_of(link + "/me") == 200 for link in links.values())
    wait(browser).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#people tbody tr")) == 3)
    browser.save_screenshot(str(screenshots / "campaign-setup-import.png"))

    # 4. The printable QR sheet for Pikine: new links, old ones revoked.
    browser.get(f"{server.base_url}/admin/qr-sheet?departement=pikine")
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#departement option[value='pikine']")))
    assert "révoque immédiatement" in browser.find_element(By.CSS_SELECTOR, ".notice").text
    browser.find_element(By.ID, "confirm").click()
    browser.find_element(By.ID, "prepare-submit").click()
    wait(browser).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#sheet .card")) == 2)
    cards = browser.find_elements(By.CSS_SELECTOR, "#sheet .card")
    assert [card.find_element(By.TAG_NAME, "h2").text for card in cards] == ["Mariama Ba", "Ousmane Diallo"]
    for card in cards:
        assert "Pikine" in card.find_element(By.CSS_SELECTOR, ".where").text
        images = card.find_elements(By.TAG_NAME, "img")
        assert len(images) == 2
        assert all(image.get_attribute("src").startswith("data:image/svg+xml") for image in images)
        assert all(browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image) for image in images)
        assert "ODK Collect" in card.text
    assert browser.find_element(By.ID, "print").is_displayed()
    browser.save_screenshot(str(screenshots / "campaign-setup-qr-sheet.png"))
    assert status_of(links["Mariama Ba"] + "/me") == 403
    assert status_of(links["Ousmane Diallo"] + "/me") == 403
    assert status_of(links["Khady Fall"] + "/me") == 200

    # 5. Revoke Khady Fall's link: it answers 403 at once.
    browser.get(f"{server.base_url}/admin/people")
    khady = "//tr[td[@class='person-name' and text()='Khady Fall']]"
    wait(browser).until(EC.presence_of_element_located((By.XPATH, khady)))
    again(lambda: browser.find_element(By.XPATH, khady).find_element(By.CSS_SELECTOR, "button.revoke").click())
    browser.switch_to.alert.accept()
    wait(browser).until(lambda d: d.find_element(
        By.XPATH, "//tr[td[@class='person-name' and text()='Khady Fall']]/td[@class='link-status']").text == "révoqué")
    assert status_of(links["Khady Fall"] + "/me") == 403
    actions = [action for (action,) in server.rows("SELECT action FROM audit_log ORDER BY id")]
    for expected in ["campaign.create", "campaign_days.set", "neighbourhood.add", "target.set", "people.import",
                     "people.links_reissue", "person.link_revoke"]:
        assert expected in actions


def test_the_people_page_fits_a_phone_and_shows_a_new_link_with_its_qr_codes(server, browser):
    login, password = server.add_user("coordination", role="coordinator")
    server.add_person(server.base_url, name="Awa Ndiaye", departement="Guédiawaye")
    browser.set_window_size(360, 780)
    sign_in(browser, server, login, password, "/admin/people")
    row = wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "#people tbody tr[data-person]")))
    row.find_element(By.CSS_SELECTOR, "button.reissue").click()
    browser.switch_to.alert.accept()
    box = wait(browser).until(EC.visibility_of_element_located((By.ID, "issued-link")))
    link = box.find_element(By.CSS_SELECTOR, "code.new-link").text
    assert status_of(link + "/me") == 200
    for name in ["qr-lien", "qr-odk-collect"]:
        image = box.find_element(By.CSS_SELECTOR, f"img.{name}")
        assert image.get_attribute("src").startswith("data:image/png;base64,")
        assert browser.execute_script("return arguments[0].naturalWidth", image) > 100
    # Nothing wider than the phone but the table, which scrolls inside its box.
    overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
