"""The phone web form in real headless Chromium (mobile emulation), against
a real Suivi behind a loopback "network" the tests control."""
import time

import pytest
from network import Network
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def wait(driver, condition, timeout=20, message=""):
    return WebDriverWait(driver, timeout, poll_frequency=0.2).until(lambda d: condition(d), message)


def open_link(phone, link):
    phone.get(link)
    wait(phone, lambda d: d.find_element(By.ID, "home").is_displayed(), message="home page not shown")


def ready_for_offline(phone):
    """The service worker controls the page and the forms are kept."""
    wait(phone, lambda d: d.execute_script("return !!navigator.serviceWorker.controller"), 30,
         "service worker never took control")
    wait(phone, lambda d: d.execute_async_script(
        "const done = arguments[0];"
        "caches.open('suivi-data').then(c => c.keys()).then(k => done(k.length))") >= 5, 30,
         "forms were not kept for offline use")


def set_answer(phone, name, value):
    phone.execute_script("""
        const [name, value] = arguments;
        const inputs = [...document.querySelectorAll(`[name="${name}"]`)];
        if (inputs.length === 0) throw new Error('no question ' + name);
        const first = inputs[0];
        if (first.type === 'radio' || first.type === 'checkbox') {
          const wanted = value.split(' ');
          for (const input of inputs) if (input.checked !== wanted.includes(input.value)) input.click();
        } else {
          first.value = value;
          first.dispatchEvent(new Event(first.tagName === 'SELECT' ? 'change' : 'input', { bubbles: true }));
        }
    """, name, value)


def open_form(phone, form="visite"):
    phone.find_element(By.CSS_SELECTOR, f"button[data-form='{form}']").click()
    wait(phone, lambda d: d.find_element(By.ID, "filling").is_displayed(), message="form not opened")


def fill_visit(driver, artisan, send=True, **changes):
    """Fills a whole visit; `changes` replace answers by question name (`phone=` included)."""
    open_form(driver)
    answers = {"visit_date": "2023-03-09", "departement": "guediawaye", "neighbourhood": "Wakhinane",
               "artisan_name": artisan, "sex": "female", "phone": "77 123 45 67", "trade": "tailoring",
               "materials": "flyer poster", "informed_terms": "yes", "wants_to_join": "yes",
               "household_size": "9", "consent_contact": "yes", **changes}
    for name, value in answers.items():
        set_answer(driver, name, value)
    if send:
        driver.find_element(By.ID, "finalise").click()
        wait(driver, lambda d: d.find_element(By.ID, "home").is_displayed(), message="record not saved")


def answer_of(phone, name):
    return phone.execute_script(
        "const e = document.querySelector(`[name='${arguments[0]}']`); return e ? e.value : null", name)


def outbox_states(phone):
    return phone.execute_script(
        "return [...document.querySelectorAll('#outbox li[data-state]')].map(li => li.dataset.state)")


def outbox_texts(phone):
    """Read in one script: the list is redrawn as records change state."""
    return phone.execute_script(
        "return [...document.querySelectorAll('#outbox li[data-state]')].map(li => li.innerText)")


def send_until_sent(phone):
    """Taps "send now" (which skips the backoff) until the record is sent."""
    for _ in range(10):
        if outbox_states(phone) == ["sent"]:
            break
        phone.find_element(By.ID, "send-now").click()
        time.sleep(0.5)
    wait(phone, lambda d: outbox_states(d) == ["sent"], 30)


def stored(server):
    return server.rows("SELECT instance_id, form_id FROM submissions")


def test_three_records_made_offline_arrive_exactly_once(server, network, phone, screenshots):
    link = server.add_person(network.base_url)
    open_link(phone, link)
    ready_for_offline(phone)

    network.set("down")
    phone.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
    for artisan in ["Khady Ba", "Modou Fall", "Aminata Sow"]:
        fill_visit(phone, artisan)
    assert outbox_states(phone) == ["queued"] * 3

    phone.refresh()  # still offline: the service worker serves the page
    wait(phone, lambda d: d.find_element(By.ID, "home").is_displayed(), message="page did not open offline")
    assert outbox_states(phone) == ["queued"] * 3
    assert stored(server) == []

    network.set("up")
    phone.set_network_conditions(offline=False, latency=0, download_throughput=-1, upload_throughput=-1)
    wait(phone, lambda d: outbox_states(d) == ["sent"] * 3, 60, "records were not sent")
    rows = stored(server)
    assert len(rows) == 3
    assert len({row[0] for row in rows}) == 3
    phone.save_screenshot(str(screenshots / "outbox-sent-360px.png"))


def test_a_server_error_then_recovery_still_stores_once(server, network, phone):
    link = server.add_person(network.base_url)
    open_link(phone, link)
    network.set("error500", count=2)
    fill_visit(phone, "Ousmane Ndiaye")
    wait(phone, lambda d: d.execute_script(
        "return (document.querySelector('#outbox li[data-state]')?.textContent || '').includes('500')"), 20)
    send_until_sent(phone)
    assert len(stored(server)) == 1


def test_an_answer_lost_after_the_server_stored_it_is_resent_once(server, network, phone):
    link = server.add_person(network.base_url)
    open_link(phone, link)
    network.set("swallow", count=1)
    fill_visit(phone, "Fatou Diouf")
    # The server has it; the phone did not hear back, so it keeps it queued.
    wait(phone, lambda d: len(stored(server)) == 1, 20)
    assert outbox_states(phone) == ["queued"]
    send_until_sent(phone)
    assert len(stored(server)) == 1


def test_a_required_answer_left_empty_is_refused_on_the_phone(server, network, phone):
    link = server.add_person(network.base_url)
    open_link(phone, link)
    phone.find_element(By.CSS_SELECTOR, "button[data-form='visite']").click()
    wait(phone, lambda d: d.find_element(By.ID, "filling").is_displayed())
    set_answer(phone, "artisan_name", "Seynabou Mbaye")
    phone.find_element(By.ID, "finalise").click()
    errors = phone.find_element(By.ID, "form-errors").text
    assert "corriger" in errors
    assert phone.find_element(By.ID, "filling").is_displayed()
    assert phone.execute_script("return document.querySelector('[data-path=\"/data/neighbourhood\"] .error').textContent")
    assert stored(server) == []


def test_a_revoked_link_shows_a_clear_message(server, network, phone):
    link = server.add_person(network.base_url)
    connection_path = server.database
    import sqlite3
    with sqlite3.connect(connection_path) as connection:
        connection.execute("UPDATE access_links SET revoked_at = '2026-01-01T00:00:00.000Z'")
    phone.get(link)
    wait(phone, lambda d: "révoqué" in d.find_element(By.ID, "status").text)


def first_load_weight(phone, link):
    """Bytes over the wire (headers included) of a first visit to `link`."""
    open_link(phone, link)
    ready_for_offline(phone)
    return phone.execute_script("""
        const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
        return entries.reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0);
    """)


def test_the_first_load_is_light_and_readable_at_360px(server, network, phone, screenshots):
    link = server.add_person(network.base_url)
    # The same first visit without gzip, through a relay that drops
    # Accept-Encoding: another origin, so nothing is cached between the two.
    plain = Network(server.port)
    plain.plain = True
    plain.start()
    try:
        without_gzip = first_load_weight(phone, link.replace(network.base_url, plain.base_url))
    finally:
        plain.close()
    weight = first_load_weight(phone, link)
    print(f"first load: {weight} bytes over the wire ({without_gzip} without gzip)")
    assert weight <= 60_000
    assert weight < without_gzip * 0.6
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 360
    phone.find_element(By.CSS_SELECTOR, "button[data-form='visite']").click()
    wait(phone, lambda d: d.find_element(By.ID, "filling").is_displayed())
    path = screenshots / "visite-form-360px.png"
    phone.save_screenshot(str(path))
    print(f"screenshot: {path}")


def test_later_loads_fetch_no_form_again(server, network, phone):
    link = server.add_person(network.base_url)
    open_link(phone, link)
    ready_for_offline(phone)
    phone.refresh()
    wait(phone, lambda d: d.find_element(By.ID, "home").is_displayed())
    time.sleep(1)  # let the page finish its background checks
    fetched = phone.execute_script("""
        return performance.getEntriesByType('resource')
            .filter(e => e.name.includes('/forms/') || (e.name.includes('/assets/') && e.transferSize > 0))
            .map(e => e.name);
    """)
    assert fetched == []


def test_a_record_the_server_refuses_stays_visible_with_its_reason(server, network, phone):
    link = server.add_person(network.base_url)
    open_link(phone, link)
    ready_for_offline(phone)
    network.set("down")
    fill_visit(phone, "Ibrahima Sarr")
    import sqlite3
    with sqlite3.connect(server.database) as connection:
        connection.execute("UPDATE access_links SET revoked_at = '2026-01-01T00:00:00.000Z'")
    network.set("up")
    phone.find_element(By.ID, "send-now").click()
    wait(phone, lambda d: outbox_states(d) == ["rejected"], 30, "the refusal was not shown")
    reason = phone.find_element(By.CSS_SELECTOR, "#outbox li[data-state='rejected'] .state").text
    assert "révoqué" in reason
    assert stored(server) == []


def instance_shape(element, prefix=""):
    """Element paths of an XML instance, in document order."""
    local = element.tag.split("}")[-1]
    path = f"{prefix}/{local}"
    paths = [path]
    for child in element:
        paths.extend(instance_shape(child, path))
    return paths


def test_browser_records_have_the_shape_collect_gives_them(server, network, phone):
    import xml.etree.ElementTree as ElementTree
    from conftest import ROOT

    link = server.add_person(network.base_url)
    open_link(phone, link)
    fill_visit(phone, "Ndèye Fatou Ka")
    wait(phone, lambda d: outbox_states(d) == ["sent"], 30)
    (xml,), = server.rows("SELECT xml FROM submissions")
    record = ElementTree.fromstring(xml)
    form = ElementTree.parse(ROOT / "Forms" / "visite.xml").getroot()
    namespace = {"x": "http://www.w3.org/2002/xforms", "h": "http://www.w3.org/1999/xhtml"}
    primary = form.find("h:head/x:model/x:instance", namespace)[0]
    assert instance_shape(record) == instance_shape(primary)
    assert record.get("id") == "visite" and record.get("version") == primary.get("version")
    assert record.find("meta/instanceID").text.startswith("uuid:")
    assert record.find("artisan_name").text == "Ndèye Fatou Ka"
    assert server.rows("SELECT review_state FROM submissions") == [("received",)]


def test_the_page_works_under_its_content_security_policy(server, network, phone):
    """Issue item 11: the personal page now has a Content-Security-Policy
    (and X-Frame-Options, Referrer-Policy). Its scripts, service worker,
    IndexedDB outbox and fetches must all still work under it: nothing is
    blocked while a record is made and sent."""
    import urllib.request

    phone.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        window.__violations = [];
        document.addEventListener('securitypolicyviolation',
            (event) => window.__violations.push(event.violatedDirective + ' ' + event.blockedURI));
    """})
    link = server.add_person(network.base_url)
    with urllib.request.urlopen(link) as answer:
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["Referrer-Policy"] == "no-referrer"
    open_link(phone, link)
    ready_for_offline(phone)
    fill_visit(phone, "Awa Sarr")
    send_until_sent(phone)
    assert len(stored(server)) == 1
    assert phone.execute_script("return window.__violations") == []


def test_answers_typed_survive_back_a_reload_and_a_closed_browser(server, network, phone, screenshots):
    """Issue 17: every answer is on the phone as it is typed."""
    link = server.add_person(network.base_url)
    open_link(phone, link)
    open_form(phone)
    phone.find_element(By.NAME, "artisan_name").send_keys("Khady Ba")
    phone.find_element(By.NAME, "neighbourhood").send_keys("Wakhinane")

    phone.refresh()  # the form opens again, answers in place
    wait(phone, lambda d: d.find_element(By.ID, "filling").is_displayed(), message="form not reopened after reload")
    wait(phone, lambda d: answer_of(d, "artisan_name") == "Khady Ba", message="answer lost on reload")
    assert answer_of(phone, "neighbourhood") == "Wakhinane"

    phone.back()  # Android's Back: the list, with the draft in it
    wait(phone, lambda d: d.find_element(By.ID, "home").is_displayed(), message="Back did not close the form")
    wait(phone, lambda d: outbox_states(d) == ["draft"], message="no draft after Back")
    assert phone.current_url.rstrip("/") == link.rstrip("/")
    phone.save_screenshot(str(screenshots / "outbox-draft-360px.png"))

    phone.get("about:blank")  # the page is gone, as when the browser is closed
    open_link(phone, link)
    assert outbox_states(phone) == ["draft"]
    assert "Khady Ba" in outbox_texts(phone)[0]
    phone.find_element(By.CSS_SELECTOR, "#outbox li[data-state='draft']").click()
    wait(phone, lambda d: d.find_element(By.ID, "filling").is_displayed())
    assert answer_of(phone, "artisan_name") == "Khady Ba"
    assert stored(server) == []


def test_cancel_asks_before_erasing_typed_answers(server, network, phone, screenshots):
    link = server.add_person(network.base_url)
    open_link(phone, link)
    open_form(phone)
    phone.find_element(By.ID, "cancel").click()  # nothing typed: closes without a question
    wait(phone, lambda d: d.find_element(By.ID, "home").is_displayed())
    assert outbox_states(phone) == []

    open_form(phone)
    phone.find_element(By.NAME, "artisan_name").send_keys("Modou Fall")
    phone.find_element(By.ID, "cancel").click()
    dialog = phone.find_element(By.ID, "discard")
    wait(phone, lambda d: dialog.is_displayed(), message="no question before erasing")
    assert "Effacer" in dialog.text
    phone.save_screenshot(str(screenshots / "cancel-question-360px.png"))
    phone.find_element(By.ID, "discard-keep").click()
    assert not dialog.is_displayed()
    assert answer_of(phone, "artisan_name") == "Modou Fall"

    phone.find_element(By.ID, "cancel").click()
    phone.find_element(By.ID, "discard-confirm").click()
    wait(phone, lambda d: d.find_element(By.ID, "home").is_displayed())
    wait(phone, lambda d: outbox_states(d) == [], message="erased answers still kept")
    phone.refresh()
    wait(phone, lambda d: d.find_element(By.ID, "home").is_displayed())
    assert outbox_states(phone) == []


def test_send_now_without_network_says_records_leave_when_it_is_back(server, network, phone):
    link = server.add_person(network.base_url)
    open_link(phone, link)
    ready_for_offline(phone)
    network.set("down")
    phone.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
    fill_visit(phone, "Aminata Sow")
    phone.find_element(By.ID, "send-now").click()
    wait(phone, lambda d: "quand le réseau reviendra" in d.find_element(By.ID, "send-status").text,
         message="no plain message offline")
    assert outbox_states(phone) == ["queued"]
    network.set("up")
    phone.set_network_conditions(offline=False, latency=0, download_throughput=-1, upload_throughput=-1)
    wait(phone, lambda d: outbox_states(d) == ["sent"], 60)
    phone.find_element(By.ID, "send-now").click()
    wait(phone, lambda d: d.find_element(By.ID, "send-status").text == "")


def test_the_persons_departement_and_today_are_prefilled_and_still_editable(server, network, phone):
    link = server.add_person(network.base_url, departement="Pikine")
    open_link(phone, link)
    today = phone.execute_script(
        "const d = new Date(); return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0')"
        " + '-' + String(d.getDate()).padStart(2, '0')")
    for form, date_question in [("visite", "visit_date"), ("causerie", "talk_date"), ("emission_radio", "broadcast_date")]:
        open_form(phone, form)
        assert answer_of(phone, "departement") == "pikine", form
        assert answer_of(phone, date_question) == today, form
        phone.back()
        wait(phone, lambda d: d.find_element(By.ID, "home").is_displayed())
    assert outbox_states(phone) == []  # defaults alone are no draft
    fill_visit(phone, "Coumba Diallo", visit_date="2023-03-10", departement="dakar")
    wait(phone, lambda d: outbox_states(d) == ["sent"], 30)
    (xml,), = server.rows("SELECT CAST(xml AS TEXT) FROM submissions")
    assert "<departement>dakar</departement>" in xml and "<visit_date>2023-03-10</visit_date>" in xml


def warning_of(phone, name):
    return phone.execute_script(
        "const e = document.querySelector(`.question[data-path$='/${arguments[0]}'] .warning`);"
        " return e ? e.textContent : ''", name)


def test_answers_the_server_would_flag_are_shown_but_never_block_sending(server, network, phone, screenshots):
    link = server.add_person(network.base_url)
    open_link(phone, link)
    fill_visit(phone, "Ousmane Ndiaye", send=False, phone="+33 6 12 34 56 78", national_id="12345",
               household_size="80")
    phone.find_element(By.ID, "finalise").click()
    assert phone.find_element(By.ID, "filling").is_displayed()
    message = phone.find_element(By.ID, "form-errors")
    assert "3 réponse(s) à vérifier" in message.text and message.get_attribute("class") == "warning"
    assert "sénégalais" in warning_of(phone, "phone")
    assert "13 chiffres" in warning_of(phone, "national_id")
    assert warning_of(phone, "household_size")  # the form's own constraint message
    assert phone.find_element(By.ID, "finalise").text == "Envoyer quand même"
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 360
    phone.save_screenshot(str(screenshots / "warnings-360px.png"))
    assert stored(server) == []

    phone.find_element(By.ID, "finalise").click()  # the person decides: sent, and flagged by the server
    wait(phone, lambda d: d.find_element(By.ID, "home").is_displayed())
    wait(phone, lambda d: outbox_states(d) == ["sent"], 30)
    (state, issues), = server.rows("SELECT review_state, issues FROM submissions")
    import json
    assert {issue["field"] for issue in json.loads(issues)} == {"/data/phone", "/data/national_id", "/data/household_size"}

    # A good answer after the warning: checked again, nothing to say.
    phone.find_element(By.ID, "language").click()
    fill_visit(phone, "Mame Diarra", send=False, phone="12")
    phone.find_element(By.ID, "finalise").click()
    assert "Senegalese" in warning_of(phone, "phone")
    assert phone.find_element(By.ID, "finalise").text == "Send anyway"
    set_answer(phone, "phone", "77 765 43 21")
    assert phone.find_element(By.ID, "finalise").text == "Save and send"
    phone.find_element(By.ID, "finalise").click()
    wait(phone, lambda d: d.find_element(By.ID, "home").is_displayed(), message="a good record was held back")
    wait(phone, lambda d: len(stored(server)) == 2, 30)


def test_in_english_titles_labels_and_states_are_english(server, network, phone, screenshots):
    link = server.add_person(network.base_url)
    open_link(phone, link)
    phone.find_element(By.ID, "language").click()
    titles = [button.text for button in phone.find_elements(By.CSS_SELECTOR, "#forms button")]
    assert sorted(titles) == ["Group talk", "Radio programme", "Workplace visit"]
    open_form(phone)
    assert phone.find_element(By.ID, "form-title").text == "Workplace visit"
    labels = phone.execute_script(
        "return [...document.querySelectorAll('.question-label')].map(e => e.textContent).join(' | ')")
    assert "Visit date" in labels and "Artisan's full name" in labels
    assert "Date de la visite" not in labels
    phone.find_element(By.NAME, "artisan_name").send_keys("Awa Sarr")
    phone.find_element(By.ID, "save-draft").click()
    wait(phone, lambda d: d.find_element(By.ID, "home").is_displayed())
    wait(phone, lambda d: outbox_texts(d) and outbox_texts(d)[0].startswith("Workplace visit") and "Draft" in outbox_texts(d)[0])
    phone.save_screenshot(str(screenshots / "home-en-360px.png"))
    phone.find_element(By.ID, "language").click()  # back to French: the form's own title
    wait(phone, lambda d: outbox_texts(d) and outbox_texts(d)[0].startswith("Visite d'atelier"))


def answer_at(phone, path):
    return phone.execute_script(
        "const e = document.querySelector(`.question[data-path='${arguments[0]}'] input`); return e ? e.value : null", path)


def type_at(phone, path, value):
    phone.find_element(By.CSS_SELECTOR, f".question[data-path='{path}'] input").send_keys(value)


def test_repeats_are_added_removed_after_a_question_and_sent_as_collect_does(server, network, phone, screenshots):
    """A household's members (a repeat), each with vaccines (a repeat inside)."""
    import subprocess
    import xml.etree.ElementTree as ElementTree
    from conftest import ROOT

    subprocess.run([server.binary, "form", "publish", "--db", server.database,
                    str(ROOT / "Tests/SuiviServerTests/Fixtures/menage_test.xml")], check=True, capture_output=True)
    link = server.add_person(network.base_url)
    open_link(phone, link)
    open_form(phone, "menage_test")
    type_at(phone, "/data/chef_name", "Moussa Diop")
    type_at(phone, "/data/member[1]/member_name", "Awa")
    add = "section.repeat[data-path='/data/member'] > button.add-instance"
    phone.find_element(By.CSS_SELECTOR, add).click()
    type_at(phone, "/data/member[2]/member_name", "Bamba")
    type_at(phone, "/data/member[2]/age", "30")
    phone.find_element(By.CSS_SELECTOR, "section.repeat[data-path='/data/member[2]/sante/vaccine'] > button.add-instance").click()
    type_at(phone, "/data/member[2]/sante/vaccine[1]/vaccine_name", "BCG")
    type_at(phone, "/data/member[2]/sante/vaccine[2]/vaccine_name", "Polio")
    phone.find_element(By.CSS_SELECTOR, add).click()
    type_at(phone, "/data/member[3]/member_name", "Coumba")

    phone.refresh()  # instances and their answers are part of the draft
    wait(phone, lambda d: answer_at(d, "/data/member[3]/member_name") == "Coumba", message="repeat lost on reload")
    assert answer_at(phone, "/data/member[2]/sante/vaccine[2]/vaccine_name") == "Polio"

    remove = "div.repeat-instance[data-path='/data/member[2]'] > .repeat-bar button.remove-instance"
    phone.find_element(By.CSS_SELECTOR, remove).click()
    dialog = phone.find_element(By.ID, "remove")
    wait(phone, lambda d: dialog.is_displayed(), message="no question before removing")
    assert "Membre du ménage 2" in dialog.text
    phone.save_screenshot(str(screenshots / "repeat-remove-360px.png"))
    phone.find_element(By.ID, "remove-keep").click()
    assert answer_at(phone, "/data/member[2]/member_name") == "Bamba"
    phone.find_element(By.CSS_SELECTOR, remove).click()
    phone.find_element(By.ID, "remove-confirm").click()
    wait(phone, lambda d: answer_at(d, "/data/member[2]/member_name") == "Coumba", message="later members did not move up")
    assert answer_at(phone, "/data/member[3]/member_name") is None
    assert answer_at(phone, "/data/member[2]/sante/vaccine[1]/vaccine_name") == ""  # Bamba's vaccines went with him
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 360
    phone.save_screenshot(str(screenshots / "repeat-360px.png"))
    # A photo question is taken on the phone (test_form_features.py sends one).
    assert phone.find_elements(By.CSS_SELECTOR, ".question[data-path='/data/member[1]/member_photo'] input[type=file]")

    phone.find_element(By.ID, "finalise").click()
    wait(phone, lambda d: d.find_element(By.ID, "home").is_displayed(), message="record not saved")
    wait(phone, lambda d: outbox_states(d) == ["sent"], 30)
    (xml,), = server.rows("SELECT CAST(xml AS TEXT) FROM submissions")
    record = ElementTree.fromstring(xml)
    assert [member.findtext("member_name") for member in record.findall("member")] == ["Awa", "Coumba"]
    assert [len(member.findall("sante/vaccine")) for member in record.findall("member")] == [1, 1]
    assert record.findtext("chef_name") == "Moussa Diop"
    assert "template" not in xml


def test_the_outbox_says_when_the_coordinator_checked_a_record(server, network, phone, screenshots):
    import json
    import urllib.request

    open_link(phone, server.add_person(network.base_url))
    fill_visit(phone, "Moussa Diop")
    wait(phone, lambda d: outbox_states(d) == ["sent"], 30)
    (record_id,), = server.rows("SELECT id FROM submissions")
    request = urllib.request.Request(
        f"{server.base_url}/api/v1/submissions/{record_id}/review", method="PATCH",
        data=json.dumps({"state": "approved"}).encode(),
        headers={"Authorization": f"Bearer {server.add_api_key()}", "Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=20).close()
    # Asked when the person taps "send" (and when the page opens or the network returns).
    phone.find_element(By.ID, "send-now").click()
    wait(phone, lambda d: "vérifiée par le coordinateur" in outbox_texts(d)[0], message="review not shown")
    assert phone.find_elements(By.CSS_SELECTOR, "#outbox li[data-review='approved']")
    phone.save_screenshot(str(screenshots / "outbox-checked-360px.png"))


def test_the_last_quartier_typed_is_offered_again(server, network, phone):
    open_link(phone, server.add_person(network.base_url))
    fill_visit(phone, "Moussa Diop", neighbourhood="Wakhinane Nimzatt")
    fill_visit(phone, "Awa Fall", neighbourhood="Médina Gounass")
    open_form(phone)
    offered = phone.execute_script("""
        const input = document.querySelector("[name='neighbourhood']");
        return input.list ? [...input.list.options].map((option) => option.value) : null;
    """)
    assert offered == ["Médina Gounass", "Wakhinane Nimzatt"], "latest first"
    assert phone.execute_script("return document.querySelector(\"[name='neighbourhood']\").value") == "", "offered, not filled"
