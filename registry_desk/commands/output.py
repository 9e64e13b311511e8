"""Where a command writes what it was asked for (`--out`): never over what is there, never onto the register.

Every `--out` of the command line goes through `write_output`. It refuses an existing file unless `--force`
is given, refuses the register's own files wherever they are (the SQLite database and its journal files)
and the data directory's own files (anything already in it outside `output/` and `bank_inbox/`, and anything at
all in its keys, channel, e-certificate store, benchmark and load-test folders), creates no directory, and writes through a temporary file in the same folder
that is removed whatever happens: a failed write leaves nothing behind and the old file, if forced, intact.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from registry_desk.config import Settings
from registry_desk.domain.errors import ValidationError

RULE = "输出文件不覆盖已有文件、不写入登记簿与数据目录自身的文件"
# Inside the data directory: folders whose existing files a forced write may replace, and folders that
# belong to the program alone (nothing is written there on request, not even a new file).
REPLACEABLE_IN_DATA_DIR = ("output", "bank_inbox")
PROGRAM_FOLDERS = ("keys", "channel", "ecerts", "bench", "loadtest")


def _database_files(settings: Settings) -> set[Path]:
    if not settings.is_sqlite or "///" not in settings.database_url:
        return set()
    path = settings.database_url.split("///", 1)[1].split("?", 1)[0]
    if not path or path == ":memory:":
        return set()
    base = Path(path).expanduser().resolve(strict=False)
    return {base, *(base.with_name(base.name + suffix) for suffix in ("-wal", "-shm", "-journal"))}


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


# What the file systems this runs on take: a name of 255 bytes, a path of 4096.
NAME_MAX, PATH_MAX = 255, 4000


def sane_path(path_text: str, what: str = "输出文件") -> str:
    """`path_text`, once it can name a file at all (not empty, no NUL, no name or path too long for the
    file system); a Chinese refusal otherwise, where the system call would raise OSError."""
    if not path_text or not path_text.strip():
        raise ValidationError(f"没有给出{what}", rule=RULE)
    try:
        encoded = os.fsencode(path_text)
    except UnicodeError:
        raise ValidationError(f"{what}路径含有无法使用的字符", rule=RULE, record=repr(path_text)) from None
    if b"\x00" in encoded:
        raise ValidationError(f"{what}路径含有空字符", rule=RULE, record=repr(path_text))
    if len(encoded) > PATH_MAX or any(len(os.fsencode(part)) > NAME_MAX for part in Path(path_text).parts):
        raise ValidationError(f"{what}路径过长", rule=RULE, record=path_text[:200])
    try:
        Path(path_text).expanduser().resolve(strict=False)
    except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError on a symlink loop
        raise ValidationError(
            f"不能使用 {path_text}：符号链接循环或路径无法解析", rule=RULE, record=path_text
        ) from None
    return path_text


def check_output(path_text: str, settings: Settings, *, force: bool = False) -> Path:
    """The path `--out` names, once it is known to be writable without harm; a Chinese refusal otherwise."""
    path = Path(sane_path(path_text)).expanduser()
    parent = path.parent
    if not parent.is_dir():
        raise ValidationError(
            f"输出目录不存在：{parent}（不会自动创建目录，请先建好目录）", rule=RULE, record=str(path)
        )
    resolved = path.resolve(strict=False)
    if os.name == "posix" and resolved.parts[1:2] in (("proc",), ("sys",), ("dev",)):
        raise ValidationError(f"不能写到 {path}：它不是普通文件", rule=RULE, record=str(path))
    if resolved in _database_files(settings):
        raise ValidationError(f"不能写到 {path}：这是登记簿数据库文件", rule=RULE, record=str(path))
    data_dir = settings.data_dir.expanduser().resolve(strict=False)
    if _inside(resolved, data_dir):
        program_folder = any(_inside(resolved, data_dir / folder) for folder in PROGRAM_FOLDERS)
        replaceable = any(_inside(resolved, data_dir / folder) for folder in REPLACEABLE_IN_DATA_DIR)
        if program_folder or ((path.exists() or path.is_symlink()) and not replaceable):
            raise ValidationError(
                f"不能写到 {path}：这是数据目录自身的文件（已有文件只有 output/ 与 bank_inbox/ 中的可覆盖）",
                rule=RULE,
                record=str(path),
            )
    if path.exists() or path.is_symlink():
        if not path.is_file() or path.is_symlink():
            raise ValidationError(f"不能写到 {path}：它不是普通文件", rule=RULE, record=str(path))
        if not force:
            raise ValidationError(
                f"文件已存在：{path}；不会覆盖。如确需覆盖，请加 --force", rule=RULE, record=str(path)
            )
    return path


def write_output(path_text: str, data: bytes, settings: Settings, *, force: bool = False) -> Path:
    """Writes `data` to the file `--out` names (see the module's rules); returns the path written."""
    path = check_output(path_text, settings, force=force)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(temporary, "xb") as handle:  # never an existing file, never through a planted link
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        raise ValidationError(
            f"无法写入 {path}：{error.strerror or error}；没有留下任何文件", rule=RULE, record=str(path)
        ) from error
    finally:
        temporary.unlink(missing_ok=True)
    return path
