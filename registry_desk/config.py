"""Where data lives and which database to use: command-line option, then environment, then default."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

ENV_DATABASE_URL = "REGISTRY_DESK_DATABASE_URL"
ENV_DATA_DIR = "REGISTRY_DESK_DATA_DIR"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    lang: str = "zh_CN"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def ecert_dir(self) -> Path:
        """The local e-certificate store (电子证照库)."""
        return self.data_dir / "ecerts"

    @property
    def keys_dir(self) -> Path:
        """Demo PKI: seal keys and trust roots. Never inside the repository."""
        return self.data_dir / "keys"

    @property
    def bank_inbox_dir(self) -> Path:
        """Where banks' sealed mortgage contracts arrive for the window to read (免填写)."""
        return self.data_dir / "bank_inbox"

    @property
    def output_dir(self) -> Path:
        """Printed output (PDFs written instead of or besides paper)."""
        return self.data_dir / "output"


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("registry-desk", appauthor=False))


def resolve(
    database_url: str | None = None, data_dir: str | Path | None = None, lang: str | None = None
) -> Settings:
    """Options win over the environment; the environment wins over the defaults."""
    env = os.environ
    data = Path(data_dir or env.get(ENV_DATA_DIR) or default_data_dir()).expanduser()
    url = database_url or env.get(ENV_DATABASE_URL) or f"sqlite:///{data / 'registry.sqlite3'}"
    return Settings(data_dir=data, database_url=url, lang=lang or "zh_CN")


def redact_url(url: str) -> str:
    """The URL as it may be shown or logged: the password, if any, replaced by ***."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


# The register, its backups, e-certificates, keys and the channel's store are for this program's account
# alone: folders 0700 and files 0600 (on POSIX systems; on Windows the data folder's ACL in the user's profile
# already keeps other users out).
PRIVATE_DIR_MODE, PRIVATE_FILE_MODE = 0o700, 0o600


def check_data_dir(path: Path) -> None:
    """Refuses, before a command starts, a data directory that cannot be one: an existing file or device,
    a path under a file, a name too long for the file system. Nothing is created here."""
    from registry_desk.domain.errors import ValidationError

    def refuse(why: str) -> ValidationError:
        return ValidationError(
            f"不能把 {path} 用作数据目录：{why}", rule="数据目录须为可写的文件夹", record=str(path)
        )

    text = str(path)
    if "\x00" in text or len(os.fsencode(text)) > 4000 or any(len(os.fsencode(p)) > 255 for p in path.parts):
        raise refuse("路径过长或无效")
    try:
        probe = path
        while not probe.exists() and not probe.is_symlink() and probe != probe.parent:
            probe = probe.parent
        if not probe.is_dir():
            raise refuse(f"{probe} 不是文件夹" if probe != path else "它不是文件夹")
    except OSError as error:
        raise refuse(error.strerror or str(error)) from None


def private_dir(path: Path) -> Path:
    """`path` as a folder only this account can enter (made, with its parents, if missing); a Chinese
    refusal when it cannot be (a file, a device, a path too long, no permission)."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
        if os.name == "posix":
            os.chmod(path, PRIVATE_DIR_MODE)
    except (OSError, ValueError) as error:
        from registry_desk.domain.errors import ValidationError

        why = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise ValidationError(
            f"无法使用文件夹 {path}：{why}（数据目录须为本账户可写的文件夹）",
            rule="数据目录须为可写的文件夹",
            record=str(path),
        ) from None
    return path


def private_file(path: Path) -> Path:
    """`path` as a file only this account can read (made empty if missing): before a database library
    creates it with the default, world-readable mode."""
    if os.name == "posix":
        fd = os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
        os.close(fd)
        os.chmod(path, PRIVATE_FILE_MODE)
    return path
