"""The phone web form fills the forms field teams write (issue 17), on our
own XLSForms converted by pyxform, in headless Chromium at 360 px:
cascading selects (each list offers only the choices its choice_filter
admits given the answers so far, inline and from a CSV file, inside a
repeat too), the form's own languages, images in labels, notes, times,
months, acknowledges, likert and horizontal lists, long lists to search,
and what only ODK Collect can fill said plainly at the top."""
import subprocess
import urllib.request
import xml.etree.ElementTree as ElementTree

from conftest import ROOT
from selenium.webdriver.common.by import By
from test_collect import open_form, open_link, outbox_states, set_answer, wait

COMMUNES = "name,label,departement\nthiaroye,Thiaroye,pikine\nyeumbeul,Yeumbeul,pikine\nbargny,Bargny,rufisque\nsaly,Saly,mbour\n"


def publish(server, directory, name, media=()):
    """One of the tests' XLSForms, published with its media files (paths)."""
    form = directory / f"{name.split('_v')[0]}.xlsx"
    subprocess.run(["python3", str(ROOT / "Tests/SuiviServerTests/Fixtures/xlsforms/make_xlsform.py"), name, str(form)],
                   check=True)
    files = ["--media", *map(str, media)] if media else []
    subprocess.run([server.binary, "form", "publish", "--db", server.database, *files, "--", str(form)],
                   check=True, capture_output=True)


def publish_cascade(server, directory):
    communes = directory / "communes_dept.csv"
    communes.write_text(COMMUNES)
    publish(server, directory, "cascade", [communes])


def send_and_read(phone, server):
    """Finalises the form, waits until it is sent, and returns the stored record (parsed) and its issues."""
    phone.find_element(By.ID, "finalise").click()
    wait(phone, lambda d: d.find_element(By.ID, "home").is_displayed(), message="record not saved")
    wait(phone, lambda d: outbox_states(d) == ["sent"], 30)
    (xml, issues), = server.rows("SELECT CAST(xml AS TEXT), issues FROM submissions")
    return ElementTree.fromstring(xml), issues


def offered(phone, path):
    """The values the question at `path` offers now (radio buttons or a list)."""
    return phone.execute_script("""
        const question = document.querySelector(`.question[data-path='${arguments[0]}']`);
        return [...question.querySelectorAll('input:not(.list-search), option')].map((e) => e.value).filter(Boolean);
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

    record, issues = send_and_read(phone, server)
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
    (tmp_path / "logo.png").write_bytes(PNG)
    (tmp_path / "communes.csv").write_text("name,label\nthiaroye,Thiaroye\n")
    publish(server, tmp_path, "marche", [tmp_path / "logo.png", tmp_path / "communes.csv"])
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


def test_times_months_lists_and_what_needs_collect(server, network, phone, screenshots, tmp_path):
    publish(server, tmp_path, "fonctions")
    open_link(phone, server.add_person(network.base_url))
    open_form(phone, "fonctions")
    banner = phone.find_element(By.CSS_SELECTOR, ".needs-collect-banner").text
    assert "ODK Collect" in banner and "Parcours du marché" in banner and "Photo" not in banner
    trace = phone.find_element(By.CSS_SELECTOR, ".question[data-path='/data/parcours']")
    assert trace.find_elements(By.TAG_NAME, "input") == [], "a trace is not typed into as text"
    assert "ODK Collect" in trace.text
    phone.save_screenshot(str(screenshots / "features-top-360px.png"))

    def type_into(path, value):
        phone.execute_script("""
            const [path, value] = arguments;
            const input = document.querySelector(`.question[data-path='${path}'] input`);
            input.value = value;
            input.dispatchEvent(new Event('input', { bubbles: true }));
        """, path, value)

    type_into("/data/heure", "09:15")
    type_into("/data/moment", "2023-03-09T14:30")
    type_into("/data/ouverture", "2019-05")
    phone.find_element(By.CSS_SELECTOR, ".question[data-path='/data/charte'] input[type=checkbox]").click()
    likert = phone.find_element(By.CSS_SELECTOR, ".question[data-path='/data/satisfaction'] .choices")
    assert "likert" in likert.get_attribute("class")
    likert.find_element(By.CSS_SELECTOR, "input[value='4']").click()
    horizontal = phone.find_element(By.CSS_SELECTOR, ".question[data-path='/data/inscrit'] .choices")
    assert "horizontal" in horizontal.get_attribute("class")
    assert horizontal.find_element(By.CSS_SELECTOR, "input[value='oui']").is_selected(), "the form's default"
    horizontal.find_element(By.CSS_SELECTOR, "input[value='non']").click()
    # 25 communes: a box narrows the list, accents aside.
    search = phone.find_element(By.CSS_SELECTOR, ".question[data-path='/data/commune'] input.list-search")
    search.send_keys("thies")
    assert offered(phone, "/data/commune") == ["thies"]
    phone.execute_script("""
        const select = document.querySelector(".question[data-path='/data/commune'] select");
        select.value = 'thies'; select.dispatchEvent(new Event('change', { bubbles: true }));
    """)
    search.clear()
    search.send_keys("k")
    assert "thies" in offered(phone, "/data/commune"), "the answer stays listed while searching"
    # A repeat counted by an answer: as many apprentices as said, no add or remove.
    type_into("/data/apprentis", "3")
    wait(phone, lambda d: len(d.find_elements(By.CSS_SELECTOR, "div.repeat-instance")) == 3, message="three apprentices")
    type_into("/data/apprentis", "2")
    wait(phone, lambda d: len(d.find_elements(By.CSS_SELECTOR, "div.repeat-instance")) == 2, message="two apprentices")
    assert phone.find_elements(By.CSS_SELECTOR, "section.repeat button") == []
    type_into("/data/apprenti[1]/prenom", "Modou")
    type_into("/data/apprenti[2]/prenom", "Fatou")
    guidance = phone.find_element(By.CSS_SELECTOR, ".question[data-path='/data/apprenti[1]/prenom'] details.guidance")
    assert guidance.find_element(By.TAG_NAME, "summary").text == "Plus d'aide"
    guidance.find_element(By.TAG_NAME, "summary").click()
    assert "l'écrire lui-même" in guidance.text
    # A photo larger than the phone keeps: resized to 1600 px on its longest side, shown, kept with the draft.
    picture = tmp_path / "atelier.png"
    picture.write_bytes(png(2400, 1200))
    phone.find_element(By.CSS_SELECTOR, ".question[data-path='/data/photo'] input[type=file]").send_keys(str(picture))
    wait(phone, lambda d: d.find_elements(By.CSS_SELECTOR, ".question[data-path='/data/photo'] img.photo-preview"),
         message="no preview of the photo")
    phone.refresh()
    wait(phone, lambda d: d.find_elements(By.CSS_SELECTOR, ".question[data-path='/data/photo'] img.photo-preview"),
         message="the photo did not survive a reload")
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 360
    phone.save_screenshot(str(screenshots / "features-filled-360px.png"))
    phone.execute_script("document.querySelector(\".question[data-path='/data/photo']\").scrollIntoView()")
    phone.save_screenshot(str(screenshots / "features-photo-360px.png"))

    record, issues = send_and_read(phone, server)
    assert record.findtext("heure").startswith("09:15:00.000")
    assert record.findtext("moment").startswith("2023-03-09T14:30:00.000")
    assert record.findtext("ouverture") == "2019-05-01"
    assert [record.findtext(name) for name in ("charte", "satisfaction", "inscrit", "commune")] == ["OK", "4", "non", "thies"]
    assert [apprentice.findtext("prenom") for apprentice in record.findall("apprenti")] == ["Modou", "Fatou"]
    assert record.findtext("apprentis") == "2"
    assert record.findtext("parcours") == "", "left to Collect: empty, as sent"
    photo = record.findtext("photo")
    assert photo.endswith(".jpg")
    (submission_id, name, size), = server.rows("SELECT submission_id, name, size FROM submission_attachments")
    assert name == photo and size > 0
    key = server.add_api_key()
    request = urllib.request.Request(f"{server.base_url}/api/v1/submissions/{submission_id}/attachments/{photo}",
                                     headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=20) as response:
        jpeg = response.read()
    assert jpeg[:2] == b"\xff\xd8" and jpeg_size(jpeg) == (1600, 800)
    assert issues == "[]"


def png(width, height):
    """A plain PNG of this size (one colour), written without an imaging library."""
    import struct
    import zlib
    row = b"\x00" + b"\x2a\x7a\x5a" * width
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b"")


def jpeg_size(data):
    """(width, height) from a JPEG's start-of-frame segment."""
    import struct
    index = 2
    while index < len(data):
        marker, length = data[index + 1], struct.unpack(">H", data[index + 2:index + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[index + 5:index + 9])
            return width, height
        index += 2 + length
    return None


def test_a_draft_goes_on_in_the_version_it_began_with(server, network, phone, tmp_path):
    publish(server, tmp_path, "fonctions")
    open_link(phone, server.add_person(network.base_url))
    open_form(phone, "fonctions")
    phone.find_element(By.CSS_SELECTOR, ".question[data-path='/data/charte'] input[type=checkbox]").click()
    phone.find_element(By.ID, "save-draft").click()
    wait(phone, lambda d: outbox_states(d) == ["draft"], message="draft not kept")
    publish(server, tmp_path, "fonctions_v2")
    phone.refresh()  # online: the new version is listed and kept
    wait(phone, lambda d: d.find_element(By.ID, "home").is_displayed())
    phone.find_element(By.CSS_SELECTOR, "#outbox li[data-state='draft']").click()
    wait(phone, lambda d: d.find_element(By.ID, "filling").is_displayed(), message="draft not reopened")
    assert not phone.find_elements(By.CSS_SELECTOR, ".question[data-path='/data/remarque']"), "still version 1"
    phone.find_element(By.ID, "finalise").click()
    wait(phone, lambda d: outbox_states(d) == ["sent"], 30)
    # A new record takes the new version.
    open_form(phone, "fonctions")
    assert phone.find_elements(By.CSS_SELECTOR, ".question[data-path='/data/remarque']")
    (version,), = server.rows("SELECT form_version FROM submissions")
    assert version == "1"
