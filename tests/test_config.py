"""Config loading: good files load, bad ones name the key and the line."""
from __future__ import annotations

import pytest

from shenava.config import load_config, parse_config
from shenava.errors import ConfigError

GOOD = """
[store]
path = "data/shenava.db"

[[brands]]
name = "تازه‌رس"
aliases = ["تازه رس", "tazeres", "TazehRes"]
competitors = [
  { name = "سبدچی", aliases = ["sabadchi"] },
  { name = "زودبر", aliases = ["zoodbar"] },
]

[[sources]]
name = "reviews-csv"
kind = "file"
brand = "تازه‌رس"
path = "reviews.csv"
columns = { id = "review_id", text = "body", published_at = "date" }
"""


def test_good_config_loads_and_resolves_paths_against_its_folder(tmp_path):
    path = tmp_path / "shenava.toml"
    path.write_text(GOOD, encoding="utf-8")
    config = load_config(path)
    assert config.store_path == tmp_path / "data" / "shenava.db"
    assert config.brand("tazeres").name == "تازه‌رس"
    assert [c.name for c in config.brands[0].competitors] == ["سبدچی", "زودبر"]
    assert config.source("reviews-csv").options()["columns"]["text"] == "body"


@pytest.mark.parametrize("bad, expected", [
    (GOOD.replace('[store]\npath = "data/shenava.db"', '[store]\npath = "x"\nbogus = 1'),
     r"shenava\.toml:4: store\.bogus: Extra inputs are not permitted"),
    (GOOD + '\n[model]\nbatch_size = "lots"\n', r":21: model\.batch_size: Input should be a valid integer"),
    (GOOD.replace('kind = "file"', 'kind = "myspace"'), r":15: sources\[0\]\.kind: unknown source kind 'myspace'"),
    (GOOD.replace('path = "reviews.csv"', 'path = "reviews.csv"\nselector = ".x"'),
     r":18: sources\[0\]\.selector: Extra inputs are not permitted"),
    (GOOD.replace('brand = "تازه‌رس"\npath', 'brand = "دیجی"\npath'), r":16: sources\[0\]\.brand: unknown brand"),
    (GOOD + GOOD[GOOD.index("[[sources]]"):], r"two sources are named 'reviews-csv'"),
    ("[store\npath = 1", r"not valid TOML"),
    (GOOD.replace('name = "reviews-csv"', 'name = "reviews csv/../x"'), r"sources\[0\]\.name: String should match"),
])
def test_bad_config_names_key_and_line(bad, expected):
    with pytest.raises(ConfigError, match=expected):
        parse_config(bad, "shenava.toml")


def test_missing_config_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


def test_unknown_source_and_brand_lookups_list_what_is_known(tmp_path):
    config = parse_config(GOOD, tmp_path / "shenava.toml")
    with pytest.raises(ConfigError, match=r"no source named 'x' \(known: reviews-csv\)"):
        config.source("x")
    with pytest.raises(ConfigError, match=r"no brand named 'y'"):
        config.brand("y")
