"""Fixtures for the web tests: a real Suivi (the debug binary) on a fresh
SQLite file, a "network" between the phone and the server that the tests
can cut or make misbehave, and headless Chromium emulating a phone."""
import os
import pathlib
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time

import pytest

from network import Network

ROOT = pathlib.Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def suivi_binary():
    path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout.strip()
    binary = pathlib.Path(path) / "suivi"
    if not binary.exists():
        subprocess.run(["swift", "build", "--product", "suivi"], cwd=ROOT, check=True)
    return str(binary)


class Server:
    """`suivi serve` as a child process; can be stopped and started again on
    the same port and database, as after a power cut."""

    def __init__(self, directory):
        self.directory = pathlib.Path(directory)
        self.database = str(self.directory / "suivi.sqlite")
        self.binary = suivi_binary()
        self.port = free_port()
        self.process = None
        self.log = open(self.directory / "server.log", "ab")

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "serve", "--db", self.database, "--port", str(self.port),
             "--forms", str(ROOT / "Forms"), "--public", str(ROOT / "Public")],
            stdout=subprocess.PIPE, stderr=self.log)
        line = self.process.stdout.readline().decode()
        assert "listening on" in line, "server did not start"

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def add_person(self, base_url, name="Awa Ndiaye", departement="Guédiawaye"):
        out = subprocess.run([self.binary, "person", "add", "--db", self.database, "--name", name,
                              "--phone", "77 123 45 67", "--departement", departement, "--base-url", base_url],
                             capture_output=True, text=True, check=True).stdout
        return out.strip().splitlines()[-1]

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def add_user(self, login, password="un-mot-de-passe-sûr", role="admin", region=None):
        command = [self.binary, "user", "add", "--db", self.database, "--login", login, "--role", role]
        if region:
            command += ["--region", region]
        subprocess.run(command, input=password + "\n", capture_output=True, text=True, check=True)
        return login, password

    def add_api_key(self, name="tests", role="admin", region=None):
        command = [self.binary, "apikey", "add", "--db", self.database, "--name", name, "--role", role]
        if region:
            command += ["--region", region]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        return out.strip().splitlines()[-1]

    def rows(self, sql):
        connection = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()


@pytest.fixture
def server():
    directory = tempfile.mkdtemp(prefix="suivi-web-")
    running = Server(directory)
    running.start()
    try:
        yield running
    finally:
        running.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def network(server):
    proxy = Network(server.port)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.fixture
def phone():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=360,780"]:
        options.add_argument(argument)
    options.add_experimental_option("mobileEmulation", {
        "deviceMetrics": {"width": 360, "height": 780, "pixelRatio": 2.0},
        "userAgent": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
                     "Chrome/120.0 Mobile Safari/537.36"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                              options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser():
    """Headless Chromium with a laptop-sized window, for the coordinators' pages."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--lang=fr-FR"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                              options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def sign_in(driver, server, login, password, next_path="/admin"):
    """Signs in through the real sign-in page and waits for `next_path`."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{server.base_url}/admin/login?next={next_path}")
    driver.find_element(By.ID, "login").send_keys(login)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "submit").click()
    WebDriverWait(driver, 15).until(EC.url_to_be(f"{server.base_url}{next_path}"))
    WebDriverWait(driver, 15).until(EC.presence_of_element_located((By.ID, "sign-out")))


@pytest.fixture
def screenshots():
    folder = ROOT / ".build" / "web-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
