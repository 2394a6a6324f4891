"""Settings: the example file is valid; errors name file, line and field, or the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from config.settings import load_settings
from core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_the_example_settings_file_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BATON_ZENDESK__TOKEN", "t")
    monkeypatch.setenv("BATON_WEBHOOK__SECRETS", "one, two")
    settings = load_settings(ROOT / "config" / "baton.example.yaml")
    assert settings.zendesk is not None
    assert settings.zendesk.token.get_secret_value() == "t"
    assert [s.get_secret_value() for s in settings.webhook.secrets] == ["one", "two"]
    assert settings.database == "sqlite:////var/lib/baton/baton.db"


def test_environment_overrides_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_text("workers:\n  count: 2\n")
    monkeypatch.setenv("BATON_WORKERS__COUNT", "5")
    assert load_settings(path).workers.count == 5


def test_a_bad_value_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_text("state_dir: /tmp/x\nworkers:\n  count: 0\n")
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert str(err.value) == (
        f"{path}:3: workers.count: Input should be greater than or equal to 1"
    )


def test_an_unknown_key_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_text("server:\n  host: 0.0.0.0\n  prot: 80\n")
    with pytest.raises(ConfigError, match=r"b.yaml:3: server.prot: Extra inputs"):
        load_settings(path)


def test_a_bad_environment_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("BATON_WORKERS__COUNT", "many")
    with pytest.raises(ConfigError, match=r"environment BATON_WORKERS__COUNT: workers\.count"):
        load_settings(None)


def test_a_missing_secret_says_where_to_set_it(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_text("zendesk:\n  subdomain: acme\n  email: a@b.example\n")
    with pytest.raises(ConfigError, match=r"b.yaml:1: zendesk.token: Field required \(set it in"):
        load_settings(path)


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_text("server:\n  host: [unclosed\n")
    with pytest.raises(ConfigError, match=r"b.yaml:\d+: malformed YAML"):
        load_settings(path)
