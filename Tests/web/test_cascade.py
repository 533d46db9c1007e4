"""Cascading selects in the phone web form (issues 15 and 17): each list
offers only the choices its choice_filter admits given the answers so far,
from inline choices and from a CSV file, inside a repeat too; an answer no
longer offered is dropped; the record arrives with no flag. Our own
XLSForm, converted by pyxform, in headless Chromium at 360 px."""
import subprocess
import xml.etree.ElementTree as ElementTree

from conftest import ROOT
from selenium.webdriver.common.by import By
from test_collect import open_form, open_link, outbox_states, set_answer, wait

COMMUNES = "name,label,departement\nthiaroye,Thiaroye,pikine\nyeumbeul,Yeumbeul,pikine\nbargny,Bargny,rufisque\nsaly,Saly,mbour\n"


def publish_cascade(server, directory):
    form = directory / "cascade.xlsx"
    subprocess.run(["python3", str(ROOT / "Tests/SuiviServerTests/Fixtures/xlsforms/make_xlsform.py"), "cascade", str(form)],
                   check=True)
    communes = directory / "communes_dept.csv"
    communes.write_text(COMMUNES)
    subprocess.run([server.binary, "form", "publish", "--db", server.database, "--media", str(communes), "--", str(form)],
                   check=True, capture_output=True)


def offered(phone, path):
    """The values the question at `path` offers now (radio buttons or a list)."""
    return phone.execute_script("""
        const question = document.querySelector(`.question[data-path='${arguments[0]}']`);
        return [...question.querySelectorAll('input, option')].map((e) => e.value).filter(Boolean);
    """, path)


def choose(phone, path, value):
    phone.find_element(By.CSS_SELECTOR, f".question[data-path='{path}'] input[value='{value}']").click()


def test_each_list_offers_what_its_filter_admits_and_the_record_arrives_unflagged(server, network, phone, screenshots,
                                                                                   tmp_path):
    publish_cascade(server, tmp_path)
    # A Mbour resource person: records of Mbour are in their own région.
    open_link(phone, server.add_person(network.base_url, departement="Mbour"))
    open_form(phone, "cascade")
    assert offered(phone, "/data/departement") == [], "nothing is offered before the région"
    set_answer(phone, "region", "dakar")
    wait(phone, lambda d: offered(d, "/data/departement") == ["pikine", "rufisque"], message="départements of Dakar")
    choose(phone, "/data/departement", "rufisque")
    # The communes come from communes_dept.csv, filtered by the département.
    wait(phone, lambda d: offered(d, "/data/commune") == ["bargny"], message="communes of Rufisque")
    choose(phone, "/data/commune", "bargny")

    # Another région: the département and commune chosen are no longer offered, so they go.
    set_answer(phone, "region", "thies")
    wait(phone, lambda d: offered(d, "/data/departement") == ["mbour"], message="départements of Thiès")
    assert phone.execute_script("return document.querySelectorAll(\".question[data-path='/data/departement'] input:checked\").length") == 0
    choose(phone, "/data/departement", "mbour")
    wait(phone, lambda d: offered(d, "/data/commune") == ["saly"], message="communes of Mbour")
    choose(phone, "/data/commune", "saly")

    # Inside the repeat, each stall's list follows its own région.
    choose(phone, "/data/stand[1]/region_stand", "dakar")
    wait(phone, lambda d: offered(d, "/data/stand[1]/departement_stand") == ["pikine", "rufisque"])
    choose(phone, "/data/stand[1]/departement_stand", "pikine")
    phone.find_element(By.CSS_SELECTOR, "section.repeat[data-path='/data/stand'] > button.add-instance").click()
    choose(phone, "/data/stand[2]/region_stand", "thies")
    wait(phone, lambda d: offered(d, "/data/stand[2]/departement_stand") == ["mbour"])
    assert offered(phone, "/data/stand[1]/departement_stand") == ["pikine", "rufisque"]
    choose(phone, "/data/stand[2]/departement_stand", "mbour")
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 360
    phone.save_screenshot(str(screenshots / "cascade-360px.png"))

    phone.find_element(By.ID, "finalise").click()
    wait(phone, lambda d: d.find_element(By.ID, "home").is_displayed(), message="record not saved")
    wait(phone, lambda d: outbox_states(d) == ["sent"], 30)
    (xml, issues), = server.rows("SELECT CAST(xml AS TEXT), issues FROM submissions")
    record = ElementTree.fromstring(xml)
    assert [record.findtext(name) for name in ("region", "departement", "commune")] == ["thies", "mbour", "saly"]
    assert [stand.findtext("departement_stand") for stand in record.findall("stand")] == ["pikine", "mbour"]
    assert issues == "[]"


def question_text(phone, path):
    return phone.find_element(By.CSS_SELECTOR, f".question[data-path='{path}']").text


def test_the_form_is_read_in_the_language_chosen_among_its_own(server, network, phone, screenshots, tmp_path):
    """French, English and Wolof: the form's languages offered at its top,
    the choice kept on the phone, the page's own words unchanged."""
    publish_cascade(server, tmp_path)
    open_link(phone, server.add_person(network.base_url, departement="Mbour"))
    open_form(phone, "cascade")
    picker = phone.find_element(By.ID, "form-language")
    assert [option.text for option in picker.find_elements(By.TAG_NAME, "option")] == ["Français", "English", "Wolof"]
    assert picker.get_attribute("value") == "Français (fr)"
    assert question_text(phone, "/data/region").splitlines()[:3] == ["Région *", "Dakar", "Thiès"]
    phone.execute_script("const p = document.getElementById('form-language'); p.value = 'Wolof (wo)';"
                         "p.dispatchEvent(new Event('change'))")
    wait(phone, lambda d: question_text(d, "/data/region").splitlines()[:3] == ["Diwaan *", "Ndakaaru", "Kees"],
         message="labels not in Wolof")
    choose(phone, "/data/region", "thies")
    wait(phone, lambda d: offered(d, "/data/departement") == ["mbour"])
    assert "Mbuur" in question_text(phone, "/data/departement")
    assert phone.find_element(By.ID, "finalise").text == "Enregistrer et envoyer", "the page's own words stay French"
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 360
    phone.save_screenshot(str(screenshots / "form-language-wolof-360px.png"))
    # Kept on the phone: the draft reopens in Wolof, its answer still there.
    phone.refresh()
    wait(phone, lambda d: d.find_element(By.ID, "filling").is_displayed(), message="draft not reopened")
    wait(phone, lambda d: question_text(d, "/data/region").startswith("Diwaan"))
    assert phone.execute_script("return document.querySelector(\".question[data-path='/data/region'] input:checked\").value") == "thies"


# A 2 x 2 PNG (red), so the page can show a real image.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a73"
    "0000001049444154789c63f8cfc000440c100a001fee03fd8b5f14d40000000049454e44ae426082")


def test_images_of_labels_are_shown_and_notes_are_read_not_typed(server, network, phone, screenshots, tmp_path):
    form = tmp_path / "marche.xlsx"
    subprocess.run(["python3", str(ROOT / "Tests/SuiviServerTests/Fixtures/xlsforms/make_xlsform.py"), "marche", str(form)],
                   check=True)
    (tmp_path / "logo.png").write_bytes(PNG)
    (tmp_path / "communes.csv").write_text("name,label\nthiaroye,Thiaroye\n")
    subprocess.run([server.binary, "form", "publish", "--db", server.database, "--media", str(tmp_path / "logo.png"),
                    str(tmp_path / "communes.csv"), "--", str(form)], check=True, capture_output=True)
    open_link(phone, server.add_person(network.base_url))
    open_form(phone, "marche")
    note = phone.find_element(By.CSS_SELECTOR, ".question[data-path='/data/accueil']")
    assert note.find_elements(By.TAG_NAME, "input") == [], "a note has nothing to type into"
    image = note.find_element(By.CSS_SELECTOR, "img.label-image")
    wait(phone, lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", image) == 2,
         message="the label's image did not load")
    assert "/forms/marche/media/logo.png" in image.get_attribute("src")
    assert offered(phone, "/data/commune") == ["thiaroye"], "the list from communes.csv"
    phone.save_screenshot(str(screenshots / "label-image-360px.png"))
