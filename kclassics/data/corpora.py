"""Real text that installs offline: the corpora and evaluation sets inside the gensim wheel.

Nothing can be downloaded at run time, so the text programs' embedded default
is real English that ships with a dependency: gensim's test data holds the Lee
background corpus (300 Australian news articles, about 60,000 words, one
article per line) and the standard word-vector evaluation sets.

    from kclassics.data.corpora import embedded_path
    embedded_path("lee_background")       # .../gensim/test/test_data/lee_background.cor
    embedded_path("questions_words")      # Mikolov et al.'s analogy questions
"""

from pathlib import Path

# name -> (file inside gensim's test data, what it is)
EMBEDDED = {
    "lee_background": ("lee_background.cor", "Lee background corpus: 300 news articles, one per line (~60,000 words)"),
    "questions_words": ("questions-words.txt", "Mikolov et al. (2013) analogy questions, 14 sections"),
    "wordsim353": ("wordsim353.tsv", "WordSim-353 word pairs with human similarity scores"),
    "simlex999": ("simlex999.txt", "SimLex-999 word pairs with human similarity scores"),
}


def embedded_path(name):
    """The path of an embedded corpus or evaluation file (a key of `EMBEDDED`)."""
    if name not in EMBEDDED:
        raise ValueError(f"`name` must be one of {sorted(EMBEDDED)}. Received: name={name!r}")
    try:
        from gensim.test.utils import datapath
    except ImportError as error:
        raise ModuleNotFoundError(
            f"The embedded text {name!r} ships inside the gensim wheel; install it with `pip install gensim`."
        ) from error
    path = Path(datapath(EMBEDDED[name][0]))
    if not path.is_file():
        raise FileNotFoundError(f"gensim's test data lacks {path.name} (looked in {path.parent}); reinstall gensim.")
    return path
