export const narrative = `(to be written with measured numbers)`;
