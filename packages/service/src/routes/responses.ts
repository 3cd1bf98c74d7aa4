import { ErrorSchema } from '../schemas.js';

const json = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } });

/** The error answers every upload route can give, for the OpenAPI document. */
export const errors = {
  400: json('A field is missing or malformed (the message names it)'),
  404: json('No model of that name, or none installed'),
  413: json('The body, or a zip inside it, is past its size limit'),
  415: json('A file of a type the service does not read'),
  422: json('A record or image that does not parse or does not suit the model (header line, lead count, image size, no image model)'),
  503: json('The queue is full, or the service is shutting down'),
  504: json('The request ran past its time limit'),
} as const;
