"""The coordinators' sign-in page in real headless Chromium."""
import http.server
import threading

import pytest
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


@pytest.fixture
def other_site():
    """Another web server on another loopback address: where a hostile `next`
    would take the browser. Records the paths it is asked for."""
    asked = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            body = b"<!doctype html><title>autre site</title><p>autre site</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *arguments):
            pass

    site = http.server.HTTPServer(("127.0.0.2", 0), Handler)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield site.server_address[1], asked
    finally:
        site.shutdown()
        site.server_close()


@pytest.mark.parametrize("hostile", ["/%5C127.0.0.2:{port}/x", "/%09/127.0.0.2:{port}/x", "//127.0.0.2:{port}/x",
                                     "http://127.0.0.2:{port}/x"])
def test_signing_in_never_sends_the_browser_to_another_site(server, browser, other_site, hostile):
    """Issue item 6: with `next=/%5C127.0.0.2:PORT/x` or `next=/%09/127.0.0.2:PORT/x`
    a correct sign-in opened the other host. It now opens the dashboard."""
    port, asked = other_site
    login, password = server.add_user("coordinatrice", role="coordinator")
    browser.get(f"{server.base_url}/admin/login?next=" + hostile.format(port=port))
    browser.find_element(By.ID, "login").send_keys(login)
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.ID, "submit").click()
    WebDriverWait(browser, 15).until(lambda driver: "/admin/login" not in driver.current_url)
    WebDriverWait(browser, 15).until(lambda driver: driver.find_elements(By.ID, "sign-out") or "autre site" in driver.page_source)
    assert browser.current_url == f"{server.base_url}/admin"
    assert asked == []


def test_a_path_on_the_site_is_still_opened_after_signing_in(server, browser):
    login, password = server.add_user("admin", role="admin")
    sign_in(browser, server, login, password, next_path="/admin/users?tri=login")
