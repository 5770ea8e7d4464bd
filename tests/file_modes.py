"""Permission bits of a directory tree, for tests of what the agent writes on a host."""
import os
import stat


def modes(root):
    """``{path relative to root: permission bits}`` of ``root`` and everything below it."""
    found = {'.': stat.S_IMODE(os.stat(root).st_mode)}
    for directory, names, files in os.walk(root):
        for name in names + files:
            path = os.path.join(directory, name)
            found[os.path.relpath(path, root)] = stat.S_IMODE(os.lstat(path).st_mode)
    return found
