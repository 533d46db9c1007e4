"""The review page in headless Chromium against a real Suivi: a record
flagged by the server's checks (sent over OpenRosa as a phone does) comes
first with its issue explained, and rejecting it takes it out of the
tallies; French first, English on the switch, usable at 360 px."""
import base64
import json
import os
import re
import urllib.request
import uuid

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import sign_in
from test_dashboard import DAY, send_like_a_phone, visit_xml


def api(server, key, path):
    request = urllib.request.Request(f"{server.base_url}{path}", headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=20) as response:
        return json.loads(response.read())


def visits(server, key):
    rows = api(server, key, f"/api/v1/tallies?from={DAY}&to={DAY}")
    return sum(row["value"] for row in rows if row["indicator"] == "visits")


def flagged_visit(instance_id):
    """A household of 99 breaks the form's constraint (1 to 60): kept, and flagged."""
    return visit_xml(instance_id).replace("<household_size>9</household_size>", "<household_size>99</household_size>")


def wait(driver, condition, seconds=15):
    return WebDriverWait(driver, seconds).until(condition)


def cards(driver):
    """Read in one script call: cards are redrawn after each verdict."""
    return driver.execute_script("""
        return [...document.querySelectorAll('#records > li[data-id]')].map(li => ({
          id: Number(li.dataset.id), state: li.dataset.state, text: li.textContent}))""")


def test_a_flagged_record_comes_first_and_rejecting_it_leaves_the_tallies(server, browser, screenshots):
    link = server.add_person(server.base_url)
    key = server.add_api_key()
    send_like_a_phone(link, visit_xml(f"uuid:{uuid.uuid4()}"))
    flagged_id = f"uuid:{uuid.uuid4()}"
    send_like_a_phone(link, flagged_visit(flagged_id))
    assert visits(server, key) == 2

    login, password = server.add_user("coordinatrice", role="coordinator")
    sign_in(browser, server, login, password, next_path="/admin/review")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Revue des fiches"
    nav = browser.find_element(By.CSS_SELECTOR, ".admin-bar nav").text
    assert "Revue des fiches" in nav and "Indicateurs" not in nav  # indicators are for admins
    wait(browser, lambda d: len(cards(d)) == 2)
    first, second = cards(browser)
    # The flagged record first, its issue explained in French with the answer at fault.
    assert first["state"] == "flagged" and second["state"] == "received"
    # Questions by their labels and choices by theirs, never by their codes (issue 18).
    assert "Nombre de personnes dans le ménage" in first["text"] and "« 99 »" in first["text"]
    assert "household_size" not in first["text"] and "wants_to_join" not in first["text"]
    assert "Problèmes relevés" in first["text"]
    issue = browser.find_element(By.CSS_SELECTOR, f'li[data-id="{first["id"]}"] .issues li').text
    issues = api(server, key, "/api/v1/review?state=flagged")["submissions"][0]["issues"]
    assert issues[0]["message"] in issue
    # The answers are shown, the faulty one marked.
    faulty = browser.find_elements(By.CSS_SELECTOR, f'li[data-id="{first["id"]}"] .answers dd.at-fault')
    assert [cell.text for cell in faulty] == ["99"]
    browser.save_screenshot(str(screenshots / "review.png"))

    card = browser.find_element(By.CSS_SELECTOR, f'li[data-id="{first["id"]}"]')
    card.find_element(By.CSS_SELECTOR, 'button[data-state="rejected"]').click()
    wait(browser, lambda d: d.find_element(By.ID, "status").text.startswith("Fiche rejetée."))
    assert visits(server, key) == 1
    # Said, with a way back: undone, the record is flagged and counted again.
    browser.find_element(By.CSS_SELECTOR, "#status button.undo").click()
    wait(browser, lambda d: d.find_element(By.ID, "status").text == "Annulé : la fiche est de nouveau signalée.")
    assert visits(server, key) == 2
    assert [row["instance_id"] for row in api(server, key, "/api/v1/review?state=flagged")["submissions"]] == [flagged_id]

    card = browser.find_element(By.CSS_SELECTOR, f'li[data-id="{first["id"]}"]')
    card.find_element(By.TAG_NAME, "textarea").send_keys("Ménage de 99 personnes : à vérifier avec la personne ressource.")
    card.find_element(By.CSS_SELECTOR, 'button[data-state="rejected"]').click()
    wait(browser, lambda d: d.find_element(By.ID, "status").text.startswith("Fiche rejetée."))
    # "To review" no longer holds it once reloaded; the tallies lost its count.
    assert visits(server, key) == 1
    reviewed = api(server, key, "/api/v1/review?state=rejected")["submissions"]
    assert [(row["instance_id"], row["review_comment"]) for row in reviewed] == [
        (flagged_id, "Ménage de 99 personnes : à vérifier avec la personne ressource.")]
    browser.refresh()
    wait(browser, lambda d: d.execute_script("return document.body.dataset.loaded"))
    assert [card["state"] for card in cards(browser)] == ["received"]

    # Approving the other one keeps its count; lifting the rejection counts the first again.
    other = browser.find_element(By.CSS_SELECTOR, f'li[data-id="{second["id"]}"]')
    other.find_element(By.CSS_SELECTOR, 'button[data-state="approved"]').click()
    wait(browser, lambda d: d.find_element(By.ID, "status").text.startswith("Fiche approuvée."))
    assert visits(server, key) == 1
    browser.get(f"{server.base_url}/admin/review?state=rejected")
    wait(browser, lambda d: [c["state"] for c in cards(d)] == ["rejected"])
    assert "Ménage de 99 personnes" in cards(browser)[0]["text"]
    browser.find_element(By.CSS_SELECTOR, 'li[data-state="rejected"] button[data-state="has_issues"]').click()
    wait(browser, lambda d: [c["state"] for c in cards(d)] == ["has_issues"])
    assert visits(server, key) == 2


def test_the_review_page_fits_a_phone_and_switches_to_english(server, phone):
    link = server.add_person(server.base_url)
    send_like_a_phone(link, flagged_visit(f"uuid:{uuid.uuid4()}"))
    login, password = server.add_user("admin", role="admin")
    sign_in(phone, server, login, password, next_path="/admin/review")
    wait(phone, EC.presence_of_element_located((By.CSS_SELECTOR, "#records li[data-id]")))
    width = phone.execute_script("return document.documentElement.scrollWidth")
    assert width <= 360, f"the review page is {width} px wide"
    phone.find_element(By.ID, "language").click()
    wait(phone, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Review records")
    wait(phone, EC.presence_of_element_located((By.CSS_SELECTOR, "#records li[data-id]")))
    text = phone.find_element(By.ID, "records").text
    assert "Issues found" in text and "Reject" in text and "flagged" in text
    english = json.loads(urllib.request.urlopen(urllib.request.Request(
        f"{server.base_url}/api/v1/review", headers={"Authorization": f"Bearer {server.add_api_key()}"}),
        timeout=20).read())["submissions"][0]["issues"][0]["message_en"]
    assert english in text
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 360


def send_encrypted_envelope(link, instance_id):
    """An encrypted record as ODK Collect sends it for a form with a public key: the
    plaintext envelope and the encrypted XML. The server cannot read its answers."""
    version = re.search(r'id="visite" version="([^"]+)"', visit_xml("uuid:x")).group(1)
    key = base64.b64encode(os.urandom(256)).decode()
    envelope = (f'<data xmlns="http://www.opendatakit.org/xforms/encrypted" id="visite" version="{version}" '
                f'encrypted="yes"><base64EncryptedKey>{key}</base64EncryptedKey>'
                f'<orx:meta xmlns:orx="http://openrosa.org/xforms"><orx:instanceID>{instance_id}</orx:instanceID>'
                f'</orx:meta><encryptedXmlFile>submission.xml.enc</encryptedXmlFile></data>')
    boundary = "----suivi" + uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"xml_submission_file\"; filename=\"submission.xml\"\r\n"
            f"Content-Type: text/xml\r\n\r\n{envelope}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"submission.xml.enc\"; filename=\"submission.xml.enc\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n").encode() + os.urandom(160) + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{link}/submission", data=body, method="POST", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "X-OpenRosa-Version": "1.0"})
    with urllib.request.urlopen(request, timeout=20) as response:
        assert response.status == 201


def test_an_encrypted_record_is_shown_sealed_and_left_out_of_the_tallies(server, phone):
    link = server.add_person(server.base_url)
    key = server.add_api_key()
    send_encrypted_envelope(link, f"uuid:{uuid.uuid4()}")
    assert visits(server, key) == 0
    login, password = server.add_user("coordinatrice", role="coordinator")
    sign_in(phone, server, login, password, next_path="/admin/review")
    wait(phone, lambda d: len(cards(d)) == 1)
    card = phone.find_element(By.CSS_SELECTOR, "#records li[data-id]")
    assert card.find_element(By.CSS_SELECTOR, ".review-state.encrypted").text == "Fiche chiffrée"
    assert "seule la clé privée du formulaire les ouvre" in card.text
    # No answers to show: the envelope's key and file names are not answers.
    assert card.find_elements(By.CSS_SELECTOR, ".answers") == []
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 360
    phone.find_element(By.ID, "language").click()
    wait(phone, lambda d: d.find_element(By.TAG_NAME, "h1").text == "Review records")
    wait(phone, lambda d: "Encrypted record" in d.find_element(By.ID, "records").text)
    assert "only the form's private key opens them" in phone.find_element(By.ID, "records").text
