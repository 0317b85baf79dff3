type StringWidth = (string: string, options?: object) => number;
export declare function withAsciiFastPath(real: StringWidth): StringWidth;
