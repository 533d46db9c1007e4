"""Accounts and the audit log through the admin pages, in real headless Chromium:
an admin creates a coordinator, the coordinator signs in on a phone, the admin
deactivates them, their next page load goes to sign-in, and the audit page shows it all."""
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import sign_in

PASSWORD = "Thiès-coordination-2023"


def wait(driver, condition, seconds=15):
    # Tables are redrawn whole after each change: an element read mid-redraw is stale, not wrong.
    return WebDriverWait(driver, seconds, ignored_exceptions=[StaleElementReferenceException]).until(condition)


def test_admin_creates_then_deactivates_a_coordinator_and_the_audit_log_shows_it(server, browser, phone, screenshots):
    admin, admin_password = server.add_user("admin", role="admin")
    sign_in(browser, server, admin, admin_password, next_path="/admin/users")
    # The navigation offers the admin pages.
    nav = browser.find_element(By.CSS_SELECTOR, ".admin-bar nav").text
    assert "Comptes" in nav and "Journal d'audit" in nav

    browser.find_element(By.ID, "new-login").send_keys("coord.thies")
    browser.find_element(By.ID, "new-name").send_keys("Ndèye Fatou Diouf")
    Select(browser.find_element(By.ID, "new-role")).select_by_value("coordinator")
    Select(browser.find_element(By.ID, "new-region")).select_by_value("thies")
    # A common password is refused with the server's reason, in French.
    browser.find_element(By.ID, "new-password").send_keys("Senegal2024!")
    browser.find_element(By.ID, "create-user").click()
    refusal = wait(browser, lambda d: d.find_element(By.ID, "error").text or None)
    assert refusal.startswith("Mot de passe refusé")
    field = browser.find_element(By.ID, "new-password")
    field.clear()
    field.send_keys(PASSWORD)
    browser.find_element(By.ID, "create-user").click()
    row = wait(browser, EC.presence_of_element_located((By.CSS_SELECTOR, "#users tr[data-login='coord.thies']")))
    assert "Thiès" in row.text and "Coordinateur" in row.text and "Actif" in row.text
    assert server.rows("SELECT role, region_code, active FROM users WHERE login = 'coord.thies'") == [("coordinator", "thies", 1)]

    # The coordinator signs in on their phone.
    sign_in(phone, server, "coord.thies", PASSWORD)
    assert "Ndèye Fatou Diouf" in phone.find_element(By.CSS_SELECTOR, ".who").text
    # Coordinators get no admin pages in the bar.
    assert "Comptes" not in phone.find_element(By.CSS_SELECTOR, ".admin-bar nav").text

    browser.find_element(By.CSS_SELECTOR, "#users tr[data-login='coord.thies'] button.deactivate").click()
    wait(browser, lambda d: "Désactivé" in d.find_element(By.CSS_SELECTOR, "#users tr[data-login='coord.thies']").text)
    assert "sessions sont fermées" in browser.find_element(By.ID, "message").text
    assert server.rows("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id "
                       "WHERE u.login = 'coord.thies' AND s.ended_at IS NULL") == [(0,)]

    # Their next page load goes to the sign-in page, and signing in again fails.
    phone.get(f"{server.base_url}/admin")
    wait(phone, EC.url_contains("/admin/login"))
    phone.find_element(By.ID, "login").send_keys("coord.thies")
    phone.find_element(By.ID, "password").send_keys(PASSWORD)
    phone.find_element(By.ID, "submit").click()
    assert wait(phone, lambda d: d.find_element(By.ID, "error").text or None).startswith("Identifiant ou mot de passe incorrect")

    browser.get(f"{server.base_url}/admin/audit")
    wait(browser, EC.presence_of_element_located((By.CSS_SELECTOR, "#entries tr[data-action='user.deactivate']")))
    table = browser.find_element(By.ID, "entries").text
    for label in ["Connexion", "Connexion refusée", "Compte créé", "Compte désactivé"]:
        assert label in table, label
    assert "coord.thies" in table and "admin" in table
    # Logins and ids only: never the person's name, never a password.
    assert "Diouf" not in table and PASSWORD not in table and "Senegal2024" not in table
    browser.save_screenshot(str(screenshots / "audit.png"))

    # Filtering by action.
    Select(browser.find_element(By.ID, "action")).select_by_value("session.sign_in")
    actions = "return [...document.querySelectorAll('#entries tbody tr')].map(r => r.dataset.action)"
    wait(browser, lambda d: set(d.execute_script(actions)) == {"session.sign_in"})
    assert browser.execute_script(actions) == ["session.sign_in", "session.sign_in"]


def test_api_keys_are_shown_once_and_revoked_from_the_page(server, browser):
    admin, password = server.add_user("admin", role="admin")
    sign_in(browser, server, admin, password, next_path="/admin/users")
    browser.find_element(By.ID, "key-name").send_keys("SIG adhésions")
    Select(browser.find_element(By.ID, "key-role")).select_by_value("membership")
    browser.find_element(By.ID, "create-key").click()
    key = wait(browser, EC.visibility_of_element_located((By.ID, "new-key-value"))).text
    assert len(key) == 43
    browser.refresh()
    wait(browser, EC.presence_of_element_located((By.CSS_SELECTOR, "#keys tbody tr")))
    assert key not in browser.page_source
    browser.find_element(By.CSS_SELECTOR, "#keys button.revoke").click()
    browser.switch_to.alert.accept()
    wait(browser, lambda d: "Révoquée" in d.find_element(By.ID, "keys").text)
    assert server.rows("SELECT revoked_at IS NOT NULL FROM api_keys WHERE name = 'SIG adhésions'") == [(1,)]


def test_the_pages_fit_a_phone_and_switch_to_english(server, phone):
    admin, password = server.add_user("admin", role="admin")
    for page in ["/admin/users", "/admin/audit", "/admin/account"]:
        if page == "/admin/users":
            sign_in(phone, server, admin, password, next_path=page)
        else:
            phone.get(f"{server.base_url}{page}")
            wait(phone, EC.presence_of_element_located((By.ID, "sign-out")))
        width = phone.execute_script("return document.documentElement.scrollWidth")
        assert width <= 360, f"{page} is {width} px wide"
    phone.get(f"{server.base_url}/admin/users")
    wait(phone, EC.presence_of_element_located((By.CSS_SELECTOR, "#users tbody tr")))
    phone.find_element(By.ID, "language").click()
    wait(phone, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Accounts and API keys")
    assert "Sign out" in phone.find_element(By.ID, "sign-out").text


def test_a_user_changes_their_own_password(server, browser):
    server.add_user("lecteur", role="viewer")
    login, password = "lecteur", "un-mot-de-passe-sûr"
    sign_in(browser, server, login, password, next_path="/admin/account")
    browser.find_element(By.ID, "current-password").send_keys("pas-le-bon")
    browser.find_element(By.ID, "new-password").send_keys("un-nouveau-mot-de-passe")
    browser.find_element(By.ID, "save").click()
    assert wait(browser, lambda d: d.find_element(By.ID, "error").text or None).startswith("Le mot de passe actuel est incorrect")
    browser.find_element(By.ID, "current-password").clear()
    browser.find_element(By.ID, "current-password").send_keys(password)
    browser.find_element(By.ID, "save").click()
    wait(browser, EC.visibility_of_element_located((By.ID, "message")))
    assert browser.find_element(By.ID, "message").text == "Mot de passe changé."
