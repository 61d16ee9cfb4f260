"""Where a test's baselines live and what names them: the test's identity (its file relative to the folder that
holds ``mlgate_baselines/``, then its name and parameters), the same however pytest was started.

Shared by the plugin (fixtures) and the session (unused baseline files), so neither imports the other for it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DEFAULT_BASELINE_DIR = "mlgate_baselines"


def _baseline_dir(item: pytest.Item) -> Path:
    """``mlgate_baseline_dir`` is relative to the ini file that sets it (the rootdir when there is none), so
    ``--rootdir`` does not move it; by default ``mlgate_baselines/`` beside each test file."""
    configured = item.config.getini("mlgate_baseline_dir")
    if configured:
        return Path(_ini_folder(item.config), configured)
    return Path(item.path).parent / DEFAULT_BASELINE_DIR


def baseline_dir_of(item: pytest.Item) -> tuple[Path, str]:
    """The test's baseline folder, and its file's path as baseline names begin with it."""
    return _baseline_dir(item).resolve(), test_identity(item).split("::", 1)[0]


def _ini_folder(config: pytest.Config) -> Path:
    return Path(config.inipath).parent if config.inipath is not None else Path(config.rootpath)


def test_identity(item: pytest.Item) -> str:
    """``file::Class::test[params]`` with the file relative to the folder holding ``mlgate_baselines/`` (the test
    file's own folder; with ``mlgate_baseline_dir``, the ini file's folder): the same however pytest was started
    (from a subfolder, with ``--rootdir``)."""
    names = [node.name for node in item.listchain() if isinstance(node, (pytest.Class, pytest.Function))]
    configured = item.config.getini("mlgate_baseline_dir")
    anchor = _ini_folder(item.config) if configured else Path(item.path).parent
    try:
        file = Path(os.path.relpath(item.path, anchor)).as_posix()
    except ValueError:  # another drive on Windows
        file = Path(item.path).name
    return "::".join([file, *names])


__all__ = ["DEFAULT_BASELINE_DIR", "baseline_dir_of", "test_identity"]
