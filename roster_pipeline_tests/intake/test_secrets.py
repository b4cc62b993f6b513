import pytest

from roster_pipeline.intake.secrets import is_secret_column


@pytest.mark.parametrize(
    "header",
    [
        "password",
        "Password",
        "PASSWORD",
        "passwd",
        "pwd",
        "ext_clever_studentPassword",
        "ext_vendor_studentpassword",
        "metadata.password",
        "Student PIN",
        "studentPin",
        "pin",
        "PIN Code",
        "secret",
        "client_secret",
        "api key",
        "API_KEY",
        "apiKey",
        "metadata.apiToken",
        "access_token",
        "Token",
        "Passcode",
    ],
)
def test_credential_headers_are_recognised(header):
    assert is_secret_column(header)


@pytest.mark.parametrize(
    "header",
    [
        "sourcedId",
        "username",
        "principal",
        "Shipping Address",
        "pinyinName",
        "spinClass",
        "phone",
        "primaryOrgSourcedId",
        "identifier",
        "userIds",
        "keyStage",
        "typing",
    ],
)
def test_ordinary_headers_are_kept(header):
    assert not is_secret_column(header)
