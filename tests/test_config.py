"""Settings as a tree: dotted overrides, the environment, presets (no model)."""

import pytest

from app.core.config import Settings, iter_settings, load_settings
from evals.runner import load_presets


def test_dotted_overrides_change_one_stage_only():
    base = Settings()
    changed = base.with_({"retrieval.k": 3, "answer.backend": "openai"})
    assert changed.retrieval.k == 3 and changed.answer.backend == "openai"
    assert base.retrieval.k == 8 and changed.finder == base.finder


def test_unknown_or_group_settings_are_refused_by_name():
    with pytest.raises(ValueError, match="unknown setting 'kk'"):
        Settings().with_({"retrieval.kk": 3})
    with pytest.raises(ValueError, match="group of settings"):
        Settings().with_({"retrieval": 3})


def test_environment_is_read_into_the_tree_with_types():
    env = {"JOINEDUP_K": "5", "JOINEDUP_SOURCE_TYPES": "report, paper", "CHROMA_PORT": "9000", "OPENAI_API_KEY": "sk"}
    s = load_settings(env)
    assert s.retrieval.k == 5 and s.retrieval.source_types == ("report", "paper")
    assert s.index.chroma_port == 9000 and s.llm.api_key == "sk"
    assert "sk" not in repr(s)  # the key is never printed
    with pytest.raises(ValueError, match="JOINEDUP_K='many'"):
        load_settings({"JOINEDUP_K": "many"})
    with pytest.raises(ValueError, match="unknown source type"):
        load_settings({"JOINEDUP_SOURCE_TYPES": "reports"})


def test_every_setting_is_described():
    leaves = list(iter_settings(Settings()))
    assert len(leaves) > 40
    assert all(doc for _, _, doc, _ in leaves), [name for name, _, doc, _ in leaves if not doc]


def test_presets_are_valid_overrides_and_rechunking_ones_get_their_own_index(tmp_path):
    presets = load_presets()
    assert presets[0].overrides == {}  # the first is the shipped default
    base = Settings().with_(data_dir=tmp_path)
    for preset in presets:
        settings = preset.settings(base)  # raises on a misspelt setting
        assert (settings.data_dir != base.data_dir) == preset.needs_own_index
    no_cards = next(p for p in presets if "without practice cards" in p.name).settings(base)
    assert "practice_card" not in no_cards.retrieval.source_types
