// Widgets for the chunker's golden tests.
import { render } from "./render";

export const VERSION = "1.0";

/**
 * Size is a width and a height.
 */
export interface Size {
  width: number;
  height: number;
}

export type Handler = (e: Event) => void;

export enum Color {
  Red,
  Green,
}

const greeting = `hello ${"{"} world }`;

/** makeSize builds a Size. */
export function makeSize(width: number, height: number): Size {
  return { width, height };
}

export const area = (s: Size): number => s.width * s.height;

@Component({ selector: "app-widget" })
export class Widget {
  private size: Size = makeSize(1, 1);

  constructor(private readonly name: string) {}

  /** resize changes the widget's size. */
  resize(width: number, height: number): void {
    this.size = makeSize(width, height);
    render(this); // a call of render does not define it
  }

  get label(): string {
    return `${this.name} (${area(this.size)})`;
  }

  onClick = (e: Event) => {
    console.log("clicked", e);
  };

  static create(name: string): Widget {
    return new Widget(name);
  }
}

export default function layout(widgets: Widget[]): Size {
  // A long function: it starts its own chunk when chunks are small.
  let width = 0;
  let height = 0;
  for (const w of widgets) {
    w.resize(10, 10);
    width += 10;
    height = Math.max(height, 10);
  }
  const padding = { top: 1, right: 1, bottom: 1, left: 1 };
  width += padding.left + padding.right;
  height += padding.top + padding.bottom;

  if (width > 1000) {
    // Too wide: wrap to rows of ten.
    const rows = Math.ceil(widgets.length / 10);
    width = 100 + padding.left + padding.right;
    height = rows * 10 + padding.top + padding.bottom;
  }

  const result = makeSize(width, height);
  console.log("layout", result, "} not a brace", '{');
  return result;
}
