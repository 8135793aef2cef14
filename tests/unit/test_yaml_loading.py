"""Every command reads some thirty YAML files at start-up through ``load_yaml``: parsed by
libyaml for speed, yet the same data and, for a malformed file, PyYAML's own error."""

from __future__ import annotations

import pytest
import yaml

from govflow import configs
from govflow.workflow.validation import FAST_LOADER, load_yaml


def test_the_shipped_files_read_the_same_as_with_pyyaml() -> None:
    files = sorted(configs.shipped("").rglob("*.yaml"))
    assert files
    for path in files:
        text = path.read_text("utf-8")
        assert load_yaml(text) == yaml.safe_load(text), path


@pytest.mark.parametrize("text", ["a: 1\n  b: 2\n", "a: [1, 2\n", "规则: {名称: 1\n"])
def test_a_malformed_file_fails_with_pyyamls_words_and_place(text: str) -> None:
    with pytest.raises(yaml.YAMLError) as expected:
        yaml.safe_load(text)
    with pytest.raises(yaml.YAMLError) as got:
        load_yaml(text)
    assert str(got.value) == str(expected.value)
    assert FAST_LOADER is not yaml.SafeLoader or not yaml.__with_libyaml__
