from ops.devenv import GENERATED_SECRETS, ensure_dev_env, read_env_file


def test_secrets_are_generated_once_and_kept(tmp_path):
    env_file = tmp_path / "dev.env"
    first = ensure_dev_env(env_file)
    assert set(GENERATED_SECRETS) <= set(first)
    assert all(len(value) >= 24 for value in first.values())
    assert env_file.stat().st_mode & 0o077 == 0, "secrets file must be private to its owner"
    assert ensure_dev_env(env_file) == first == read_env_file(env_file)


def test_missing_secret_is_added_without_touching_others(tmp_path):
    env_file = tmp_path / "dev.env"
    env_file.write_text("RASA_TOKEN=keep-me\n")
    values = ensure_dev_env(env_file)
    assert values["RASA_TOKEN"] == "keep-me"
    assert set(GENERATED_SECRETS) <= set(values)
