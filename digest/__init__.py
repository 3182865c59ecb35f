"""Daily and weekly digests: what people say about a brand, what changed, what to fix.

    from shenava.digest import build_digest, render_html, render_markdown, write_digest
"""
from shenava.digest.figures import build_digest
from shenava.digest.model import Digest, DigestError
from shenava.digest.render_html import render_html
from shenava.digest.render_md import render_markdown
from shenava.digest.spikes import SpikeRule
from shenava.digest.write import DigestFiles, write_digest

__all__ = ["Digest", "DigestError", "DigestFiles", "SpikeRule", "build_digest", "render_html",
           "render_markdown", "write_digest"]
