"""The tools' names, descriptions and input schemas are what assistants are configured against: a change
is deliberate. To accept one, run with LEXHUB_UPDATE_TOOL_SNAPSHOT=1 and commit tools.json."""

import asyncio
import json
import os
from pathlib import Path

from mcp import Client

from assistants.server import build_server

SNAPSHOT = Path(__file__).with_name("tools.json")


def listed() -> dict:
    async def run() -> dict:
        async with Client(build_server(), cache=None) as client:
            tools = (await client.list_tools()).tools
            templates = (await client.list_resource_templates()).resource_templates
            prompts = (await client.list_prompts()).prompts
        return {
            "tools": {tool.name: {"description": tool.description, "inputSchema": tool.input_schema} for tool in tools},
            "resources": sorted(template.uri_template for template in templates),
            "prompts": sorted(prompt.name for prompt in prompts),
        }

    return json.loads(json.dumps(asyncio.run(run()), sort_keys=True))


def test_the_tools_are_as_documented() -> None:
    current = listed()
    if os.environ.get("LEXHUB_UPDATE_TOOL_SNAPSHOT") == "1":
        SNAPSHOT.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")

    assert current == json.loads(SNAPSHOT.read_text()), "tools changed: see this module's docstring"
