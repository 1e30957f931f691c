// Types of node-version.js (plain JavaScript: jest.config.js loads it before any transform exists).
export declare function requiredNode(): [number, number];
export declare function unsupportedNodeReason(version: string, required?: [number, number]): string | undefined;
export declare function assertSupportedNode(): void;
