import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[3]
SEEDS = ROOT / "fixtures" / "seeds"

PAGE = (
    "A real paragraph of the article, with a full stop.\n\n"
    "Advertisement\n\n"
    "Another real paragraph that ends the story.\n"
)
CLEAN = (
    "A real paragraph of the article, with a full stop.\n\n"
    "Another real paragraph that ends the story.\n"
)


@pytest.fixture(scope="session")
def seed():
    """The first seed page and its gold output."""
    page = sorted(p for p in SEEDS.glob("*.txt") if not p.name.endswith(".expected.txt"))[0]
    gold = page.with_name(page.name[: -len(".txt")] + ".expected.txt")
    return page.read_text(encoding="utf-8"), gold.read_text(encoding="utf-8")
