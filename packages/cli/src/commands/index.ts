import type { Command } from 'commander';
import { register as train } from './train.js';
import { register as evaluate } from './eval.js';
import { register as predict } from './predict.js';
import { register as info } from './info.js';
import { register as convert } from './convert.js';
import { register as render } from './render.js';
import { register as serve } from './serve.js';
import { register as models } from './models.js';
import { register as robustness } from './robustness.js';
import { register as attack } from './attack.js';
import { register as plot } from './plot.js';

/** Each subcommand module exports one `register(program)`; add new ones to this list. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [train, evaluate, predict, info, convert, render, robustness, attack, plot, serve, models];
