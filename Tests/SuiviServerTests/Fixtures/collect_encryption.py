#!/usr/bin/env python3
"""Encrypts records as ODK Collect does, for EncryptedRecordTests.

An implementation independent of Suivi's decryptor (OpenSSL through
Python's `cryptography`, not BoringSSL through swift-crypto), written from
ODK's encryption spec and Collect's EncryptionUtils:
  - a random 256-bit AES key, RSA-OAEP (SHA-256 digest and MGF1) encrypted;
  - each file AES-256-CFB128 with PKCS#5 padding, media first, submission.xml
    last; IV = MD5(instanceID + key), byte (n mod 16) incremented before file n;
  - the element signature: MD5 over the lines form id, version, base64 key,
    instance id, "name::md5hex" per file; RSA-OAEP encrypted.

  keygen DIR                 -> DIR/private-pkcs1.pem, private-pkcs8.pem,
                                public.b64, other-private.pem
  form MD_FILE PUBLIC_B64 OUT -> the XLSForm converted by pyxform with the key
  xlsx FILE                  -> the workbook's first sheet as JSON rows (openpyxl)
  encrypt DIR FORM_ID VERSION INSTANCE_ID PUBLIC_B64 [MEDIA...]
      reads DIR/submission.xml and DIR/MEDIA; writes DIR/out/submission.xml
      (the envelope), DIR/out/submission.xml.enc and DIR/out/MEDIA.enc
"""
import base64
import hashlib
import os
import sys

from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as asymmetric, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

try:  # CFB moved here in cryptography 44
    from cryptography.hazmat.decrepit.ciphers.modes import CFB
except ImportError:
    from cryptography.hazmat.primitives.ciphers.modes import CFB


def oaep():
    return asymmetric.OAEP(mgf=asymmetric.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def keygen(directory):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    none = serialization.NoEncryption()
    pem = serialization.Encoding.PEM
    with open(os.path.join(directory, "private-pkcs1.pem"), "wb") as f:
        f.write(key.private_bytes(pem, serialization.PrivateFormat.TraditionalOpenSSL, none))
    with open(os.path.join(directory, "private-pkcs8.pem"), "wb") as f:
        f.write(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, none))
    with open(os.path.join(directory, "other-private.pem"), "wb") as f:
        f.write(other.private_bytes(pem, serialization.PrivateFormat.PKCS8, none))
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    with open(os.path.join(directory, "public.b64"), "w") as f:
        f.write(base64.b64encode(spki).decode())


def form(markdown, public_b64, out):
    from pyxform.xls2xform import convert
    source = os.path.join(os.path.dirname(out), "form-source.md")
    with open(markdown) as f, open(source, "w") as g:
        g.write(f.read().replace("PUBLIC_KEY", public_b64))
    with open(out, "w") as f:
        f.write(convert(xlsform=source).xform)


def encrypt(directory, form_id, version, instance_id, public_b64, media):
    public = serialization.load_der_public_key(base64.b64decode(public_b64))
    key = os.urandom(32)
    encrypted_key = base64.b64encode(public.encrypt(key, oaep())).decode()
    iv = bytearray(hashlib.md5(instance_id.encode() + key).digest())
    out = os.path.join(directory, "out")
    os.makedirs(out, exist_ok=True)
    lines = [form_id] + ([version] if version else []) + [encrypted_key, instance_id]
    for index, name in enumerate(media + ["submission.xml"]):
        iv[index % 16] = (iv[index % 16] + 1) % 256
        with open(os.path.join(directory, name), "rb") as f:
            plain = f.read()
        padder = padding.PKCS7(128).padder()
        padded = padder.update(plain) + padder.finalize()
        encryptor = Cipher(algorithms.AES(key), CFB(bytes(iv))).encryptor()
        with open(os.path.join(out, name + ".enc"), "wb") as f:
            f.write(encryptor.update(padded) + encryptor.finalize())
        lines.append(name + "::" + hashlib.md5(plain).hexdigest())
    signature_source = "".join(line + "\n" for line in lines)
    signature = base64.b64encode(public.encrypt(hashlib.md5(signature_source.encode()).digest(), oaep())).decode()
    version_attribute = f' version="{version}"' if version else ""
    media_elements = "".join(f"<media><file>{name}.enc</file></media>\n" for name in media)
    envelope = (
        f'<data xmlns="http://www.opendatakit.org/xforms/encrypted" id="{form_id}"{version_attribute} encrypted="yes">'
        f"<base64EncryptedKey>{encrypted_key}</base64EncryptedKey>"
        f'<orx:meta xmlns:orx="http://openrosa.org/xforms"><orx:instanceID>{instance_id}</orx:instanceID></orx:meta>\n'
        f"{media_elements}"
        f"<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>"
        f"<base64EncryptedElementSignature>{signature}</base64EncryptedElementSignature></data>"
    )
    with open(os.path.join(out, "submission.xml"), "w") as f:
        f.write(envelope)


def xlsx(path):
    import json
    from openpyxl import load_workbook
    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    print(json.dumps(rows))


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    if command == "keygen":
        keygen(*arguments)
    elif command == "form":
        form(*arguments)
    elif command == "xlsx":
        xlsx(*arguments)
    elif command == "encrypt":
        encrypt(arguments[0], arguments[1], arguments[2], arguments[3], arguments[4], arguments[5:])
    else:
        sys.exit(f"unknown command {command}")
