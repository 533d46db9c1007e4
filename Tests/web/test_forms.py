"""The forms page in headless Chromium against a real Suivi and real
pyxform (issue 16): an admin uploads one of the tests' own XLSForms with a
media file, sees the draft and what it changes, publishes it, and a phone's
form list has it at once; then closes the form. French first, English on
the switch, usable at 1366 and 360 px."""
import pathlib
import subprocess
import sys
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import sign_in

ROOT = pathlib.Path(__file__).resolve().parents[2]


def wait(driver, condition, seconds=60):
    return WebDriverWait(driver, seconds).until(condition)


def form_list(link):
    request = urllib.request.Request(f"{link}/formList", headers={"X-OpenRosa-Version": "1.0"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return response.read().decode()


def test_an_admin_publishes_an_xlsform_and_phones_get_it(server, browser, screenshots, tmp_path):
    xlsform = tmp_path / "marche.xlsx"
    subprocess.run([sys.executable, str(ROOT / "Tests/SuiviServerTests/Fixtures/xlsforms/make_xlsform.py"), "marche",
                    str(xlsform)], check=True)
    communes = tmp_path / "communes.csv"
    communes.write_text("name,label\nthiaroye,Thiaroye\n")
    link = server.add_person(server.base_url)
    login, password = server.add_user("admin", role="admin")
    browser.set_window_size(1366, 900)
    sign_in(browser, server, login, password, next_path="/admin/forms")
    wait(browser, lambda d: "visite" in d.find_element(By.ID, "forms").text)
    assert "Formulaires" in browser.find_element(By.TAG_NAME, "h1").text
    assert Select(browser.find_element(By.ID, "target")).first_selected_option.text == "Un nouveau formulaire"

    browser.find_element(By.ID, "file").send_keys(str(xlsform))
    browser.find_element(By.ID, "media").send_keys(str(communes))
    browser.find_element(By.ID, "send").click()
    wait(browser, lambda d: d.find_element(By.ID, "draft").is_displayed())
    draft = browser.find_element(By.ID, "draft").text
    assert "Brouillon : Jour de marché" in draft and "nouveau formulaire" in draft
    assert "metier" in draft and "/data/" not in draft and "communes.csv" in draft
    assert "missing the survey image column" in draft, "pyxform's warning is shown as it is"
    assert "<formID>marche</formID>" not in form_list(link)
    # Tried on a phone first: the test link's form list holds the draft alone.
    assert "Aucune fiche de test" in draft
    browser.find_element(By.ID, "test-link").click()
    test_line = wait(browser, lambda d: d.find_element(By.ID, "test-url").is_displayed() and d.find_element(By.ID, "test-url"))
    test_url = test_line.text.rsplit(" ", 1)[-1]
    assert "/test/" in test_url
    tried = form_list(test_url)
    assert "<formID>marche</formID>" in tried and "<formID>visite</formID>" not in tried
    browser.save_screenshot(str(screenshots / "forms-draft-1366-fr.png"))

    browser.find_element(By.ID, "publish").click()
    browser.switch_to.alert.accept()
    wait(browser, lambda d: "publiée" in d.find_element(By.ID, "status").text)
    listed = form_list(link)
    assert "<formID>marche</formID>" in listed and "manifestUrl" in listed

    # Closing it from the table takes it off the phones' list.
    row = wait(browser, lambda d: [r for r in d.find_elements(By.CSS_SELECTOR, "#forms tbody tr") if "(marche)" in r.text])[0]
    Select(row.find_element(By.TAG_NAME, "select")).select_by_value("closing")
    wait(browser, lambda d: "changé" in d.find_element(By.ID, "status").text)
    assert "<formID>marche</formID>" not in form_list(link)

    # 360 px, both languages: nothing wider than the screen.
    browser.set_window_size(360, 780)
    browser.refresh()
    wait(browser, lambda d: "(marche)" in d.find_element(By.ID, "forms").text)
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide at 360 px"
    browser.save_screenshot(str(screenshots / "forms-360-fr.png"))
    browser.find_element(By.ID, "language").click()
    wait(browser, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Forms")
    wait(browser, lambda d: "(marche)" in d.find_element(By.ID, "forms").text)
    assert "closing" in browser.find_element(By.ID, "forms").text
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 360
    browser.save_screenshot(str(screenshots / "forms-360-en.png"))


def test_a_broken_xlsform_shows_pyxforms_message(server, browser, tmp_path):
    xlsform = tmp_path / "marche.xlsx"
    subprocess.run([sys.executable, str(ROOT / "Tests/SuiviServerTests/Fixtures/xlsforms/make_xlsform.py"),
                    "marche_broken", str(xlsform)], check=True)
    login, password = server.add_user("admin", role="admin")
    sign_in(browser, server, login, password, next_path="/admin/forms")
    wait(browser, lambda d: "visite" in d.find_element(By.ID, "forms").text)
    browser.find_element(By.ID, "file").send_keys(str(xlsform))
    browser.find_element(By.ID, "send").click()
    wait(browser, lambda d: "metiers_absents" in d.find_element(By.ID, "status").text)
    assert "Le XLSForm contient une erreur" in browser.find_element(By.ID, "status").text
    assert not browser.find_element(By.ID, "draft").is_displayed()
