"""Makes `import pyNN.myelin` find Myelin's PyNN backend, which lies beside this file in
`pyNN-myelin/` (Debian's pyNN is a plain package, so a backend cannot simply be added to it).
Imported at start-up by `myelin-pynn.pth` in site-packages; from a build tree, import it
once before pyNN.myelin (docs/pynn.md)."""
import importlib.util
import os
import sys

_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pyNN-myelin")


class MyelinBackendFinder:
    """A meta path finder for the one name pyNN.myelin; its submodules come from its __path__."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "pyNN.myelin":
            return None
        return importlib.util.spec_from_file_location(name, os.path.join(_DIR, "__init__.py"),
                                                      submodule_search_locations=[_DIR])


if not any(type(finder).__name__ == "MyelinBackendFinder" or finder is MyelinBackendFinder for finder in sys.meta_path):
    sys.meta_path.append(MyelinBackendFinder)
