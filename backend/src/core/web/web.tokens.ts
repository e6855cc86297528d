/** The folder holding the built console (index.html and its hashed assets). */
export const CONSOLE_DIR = Symbol('ConsoleDir');
