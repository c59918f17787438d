/**
 * Generated names for runs and logged models created without one: `<adjective>-<noun>-<0..999>`,
 * the same shape MLflow uses.
 */
import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'amber', 'bold', 'brave', 'bright', 'calm', 'clever', 'crisp', 'dapper', 'eager', 'fair',
  'fleet', 'gentle', 'glad', 'golden', 'grand', 'honest', 'jolly', 'keen', 'kind', 'lively',
  'lucky', 'merry', 'mighty', 'nimble', 'noble', 'patient', 'polite', 'proud', 'quick', 'quiet',
  'rapid', 'rare', 'salty', 'sharp', 'shiny', 'silent', 'smooth', 'steady', 'sunny', 'swift',
  'tidy', 'tranquil', 'vivid', 'warm', 'wise', 'witty', 'zealous', 'zesty',
];

const NOUNS = [
  'badger', 'bear', 'bee', 'bison', 'carp', 'cat', 'colt', 'crane', 'crow', 'deer',
  'dove', 'eagle', 'eel', 'elk', 'falcon', 'finch', 'fox', 'frog', 'gecko', 'goat',
  'hare', 'hawk', 'heron', 'ibis', 'jay', 'koala', 'lark', 'lion', 'lynx', 'mole',
  'moth', 'newt', 'otter', 'owl', 'panda', 'quail', 'raven', 'robin', 'seal', 'shark',
  'sloth', 'snail', 'swan', 'tiger', 'toad', 'trout', 'whale', 'wolf', 'wren', 'yak',
];

function pick(words: readonly string[]): string {
  return words[randomInt(words.length)] as string;
}

export function randomName(): string {
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${randomInt(1000)}`;
}
