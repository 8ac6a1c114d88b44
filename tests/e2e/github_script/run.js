// Runs one actions/github-script body as github-script v8.0.0 does (its
// src/main.ts and src/async-function.ts): the same modules, an Octokit from
// getOctokit with the retry and request-log plugins (retries off: the input's
// default), and the script as the body of an async function of
// require, __original_require__, github, octokit, context, core, exec, glob, io.
//
// usage: node run.js SCRIPT_FILE   (context comes from the GITHUB_* variables
// and the event file GITHUB_EVENT_PATH, as on a runner; the API is GITHUB_API_URL)
'use strict';
const fs = require('fs');
const path = require('path');
const core = require('@actions/core');
const exec = require('@actions/exec');
const glob = require('@actions/glob');
const io = require('@actions/io');
const { context, getOctokit } = require('@actions/github');
const { defaults } = require('@actions/github/lib/utils');
const { requestLog } = require('@octokit/plugin-request-log');
const { retry } = require('@octokit/plugin-retry');

process.on('unhandledRejection', handleError);

// github-script resolves a script's require() from the working directory.
function scriptRequire(id) {
  if (id.startsWith('.')) return require(path.resolve(id));
  return require(require.resolve(id, { paths: [process.cwd(), __dirname] }));
}

async function main() {
  const source = fs.readFileSync(process.argv[2], 'utf8');
  const token = process.env.GITHUB_TOKEN;
  if (!token) throw new Error('GITHUB_TOKEN is not set');
  const github = getOctokit(token, { retry: { enabled: false }, request: defaults.request }, retry, requestLog);
  const AsyncFunction = Object.getPrototypeOf(async () => null).constructor;
  const args = { require: scriptRequire, __original_require__: require, github, octokit: github,
                 context, core, exec, glob, io };
  const fn = new AsyncFunction(...Object.keys(args), source);
  const result = await fn(...Object.values(args));
  core.setOutput('result', JSON.stringify(result));
}

function handleError(err) {
  console.error(err);
  core.setFailed(`Unhandled error: ${err}`);
}

main().catch(handleError);
