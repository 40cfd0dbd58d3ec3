export const narrative = `(to be written)`;
