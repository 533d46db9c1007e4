"""The coordinators' sign-in page in real headless Chromium."""
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import sign_in


def test_sign_in_reaches_the_dashboard_and_sign_out_ends_the_session(server, browser):
    login, password = server.add_user("coordinatrice", role="coordinator")
    browser.get(f"{server.base_url}/admin")
    # Without a session the dashboard sends the visitor to the sign-in page.
    WebDriverWait(browser, 15).until(EC.url_contains("/admin/login"))

    sign_in(browser, server, login, password)
    assert "coordinatrice" in browser.find_element(By.CSS_SELECTOR, ".who").text
    cookie = browser.get_cookie("suivi_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    browser.find_element(By.ID, "sign-out").click()
    WebDriverWait(browser, 15).until(EC.url_contains("/admin/login"))
    assert server.rows("SELECT count(*) FROM sessions WHERE ended_at IS NULL") == [(0,)]


def test_a_wrong_password_is_explained_in_french_without_saying_which_part_was_wrong(server, browser):
    server.add_user("coordinatrice", role="coordinator")
    browser.get(f"{server.base_url}/admin/login")
    browser.find_element(By.ID, "login").send_keys("coordinatrice")
    browser.find_element(By.ID, "password").send_keys("pas-le-bon-mot-de-passe")
    browser.find_element(By.ID, "submit").click()
    error = WebDriverWait(browser, 15).until(
        lambda driver: driver.find_element(By.ID, "error").text or None)
    assert error.startswith("Identifiant ou mot de passe incorrect")
    assert browser.current_url.endswith("/admin/login")
