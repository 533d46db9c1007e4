"""A draft tried in a phone browser through its test link (issue 16): the
same web form as under a personal link, the draft as its one form, the
record kept apart from real records, in headless Chromium at 360 px."""
import json
import pathlib
import urllib.request
import uuid

from selenium.webdriver.common.by import By

from test_collect import open_form, send_until_sent, set_answer, wait

ROOT = pathlib.Path(__file__).resolve().parents[2]


def call(server, key, method, path, body=None, content_type=None):
    headers = {"Authorization": f"Bearer {key}"}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(f"{server.base_url}{path}", data=body, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def draft_causerie(server, key):
    """A new version of the shipped causerie, uploaded as a draft."""
    xform = (ROOT / "Forms" / "causerie.xml").read_text()
    version = xform.split('id="causerie" version="')[1].split('"')[0]
    xform = xform.replace(f'version="{version}"', f'version="{version}-essai"')
    boundary = f"suivi-{uuid.uuid4().hex}"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"causerie.xml\"\r\n"
            f"Content-Type: text/xml\r\n\r\n{xform}\r\n--{boundary}--\r\n").encode()
    call(server, key, "POST", "/api/v1/forms/causerie/draft", body, f"multipart/form-data; boundary={boundary}")
    return f"{version}-essai"


def test_a_draft_is_filled_in_the_browser_through_its_test_link(server, phone, screenshots):
    key = server.add_api_key()
    version = draft_causerie(server, key)
    link = call(server, key, "POST", "/api/v1/forms/causerie/draft/test-link")["url"]
    phone.get(link)
    wait(phone, lambda d: d.find_element(By.ID, "home").is_displayed(), message="home page not shown")
    # The draft is the one form offered, marked as a test.
    buttons = phone.find_elements(By.CSS_SELECTOR, "button[data-form]")
    assert [button.get_attribute("data-form") for button in buttons] == ["causerie"]
    assert "[test]" in phone.find_element(By.ID, "home").text
    open_form(phone, "causerie")
    for name, value in {"departement": "pikine", "place": "Marché Thiaroye", "talk_date": "2023-03-09",
                        "participants_men": "7", "participants_women": "30", "pre_registrations": "4"}.items():
        set_answer(phone, name, value)
    phone.find_element(By.ID, "finalise").click()
    wait(phone, lambda d: d.find_element(By.ID, "home").is_displayed(), message="record not saved")
    send_until_sent(phone)
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 360
    phone.save_screenshot(str(screenshots / "draft-test-link-360.png"))
    # Kept apart: a test record of the draft's version, no real record.
    assert server.rows("SELECT version FROM draft_test_records") == [(version,)]
    assert server.rows("SELECT count(*) FROM submissions") == [(0,)]
    records = call(server, key, "GET", "/api/v1/forms/causerie/draft/submissions")["records"]
    assert len(records) == 1 and "Marché Thiaroye" in records[0]["xml"]
