/**
 * The experiment registry. Adding an experiment = adding its folder and one line here
 * (see docs/adding-an-experiment.md).
 */
import type { Experiment } from './experiment.js';
import echo from './echo/index.js';
import streamBoundaries from './stream-boundaries/index.js';
import framing from './framing/index.js';
import linger from './linger/index.js';
import halfClose from './half-close/index.js';
import closeWait from './close-wait/index.js';
import timeWait from './time-wait/index.js';
import daytime from './daytime/index.js';
import timestamp from './timestamp/index.js';
import concurrency from './concurrency/index.js';
import errors from './errors/index.js';
import deadlines from './deadlines/index.js';
import backlog from './backlog/index.js';
import keepalive from './keepalive/index.js';
import tcpPing from './tcp-ping/index.js';
import rawClient from './raw-client/index.js';
import httpHead from './http-head/index.js';
import addresses from './addresses/index.js';
import slowReader from './slow-reader/index.js';
import bufferSizes from './buffer-sizes/index.js';
import writeDeadline from './write-deadline/index.js';
import udp from './udp/index.js';
import unix from './unix/index.js';
import websocket from './websocket/index.js';
import proxy from './proxy/index.js';

export const experiments: readonly Experiment[] = [echo, streamBoundaries, framing, linger, halfClose, closeWait, timeWait, daytime, timestamp, concurrency, errors, deadlines, backlog, keepalive, tcpPing, rawClient, httpHead, addresses, slowReader, bufferSizes, writeDeadline, udp, unix, websocket, proxy];

export function findExperiment(id: string): Experiment | undefined {
  return experiments.find((e) => e.id === id);
}
