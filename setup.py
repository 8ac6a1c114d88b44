"""Build-time only: the long description PyPI shows is README.md with its
relative links made absolute, pointing into the repository (`Source` in
pyproject.toml), because PyPI has no docs/ next to it. Everything else about
the package is in pyproject.toml."""

import re
import tomllib
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent
_LINK = re.compile(r"(\]\()([^)\s]+)(\))")


def pypi_readme() -> str:
    project = tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    source = project["urls"]["Source"].rstrip("/")

    def absolute(m: re.Match) -> str:
        target = m.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):        # https:, mailto: as they are
            return m.group(0)
        url = source + target if target.startswith("#") else f"{source}/blob/main/{target}"
        return m.group(1) + url + m.group(3)

    return _LINK.sub(absolute, (HERE / "README.md").read_text(encoding="utf-8"))


setup(long_description=pypi_readme(), long_description_content_type="text/markdown")
