"""An S3-compatible server for tests and the files benchmark: moto's server mode on a free loopback port
(installed with requirements-dev.txt), with one private bucket made for Lexhub's media."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness.processes import free_port, spawn, stop_process, wait_for_http

# moto accepts any credentials; these exist so boto3 signs requests as it would against real storage.
ACCESS_KEY = "lexhub-test-access"
SECRET_KEY = "lexhub-test-secret"  # a fake key for a local fake server
REGION = "eu-central-1"


@dataclass
class S3Server:
    endpoint_url: str
    bucket: str

    def client(self):  # a boto3 S3 client (boto3 has no type stubs here)
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def keys(self) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def env(self) -> dict[str, str]:
        """The environment that points Lexhub's media at this server (lexhub.env.media_storage)."""
        return {
            "LEXHUB_S3_BUCKET": self.bucket,
            "LEXHUB_S3_ENDPOINT_URL": self.endpoint_url,
            "LEXHUB_S3_REGION": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }


@contextmanager
def s3_server(*, bucket: str = "lexhub-media", log_path: Path | None = None) -> Iterator[S3Server]:
    moto = Path(sys.executable).parent / "moto_server"
    if not moto.exists():
        raise RuntimeError(f"{moto} is missing: pip install -r requirements-dev.txt (moto[server])")
    port = free_port()
    process = spawn([str(moto), "-H", "127.0.0.1", "-p", str(port)], log_path=log_path)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        wait_for_http(f"{endpoint}/moto-api/", process, timeout=60)
        server = S3Server(endpoint, bucket)
        server.client().create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield server
    finally:
        stop_process(process)
