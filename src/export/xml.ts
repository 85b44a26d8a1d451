// The one way our writers put text into XML: through xmlbuilder2, after dropping the characters
// XML 1.0 forbids. Serializing with `wellFormed` makes anything that slips past throw.
import { create } from 'xmlbuilder2';
import { cleanXmlText } from './xml-text.js';

export type XmlNode = ReturnType<typeof create>;

/** Attribute values; undefined ones are left out. */
export type XmlAttributes = Record<string, string | number | undefined>;

export function newXmlDocument(): XmlNode {
  return create({ version: '1.0', encoding: 'UTF-8' });
}

/** Adds `<name attrs>` under `parent` and returns the new element. */
export function addElement(parent: XmlNode, name: string, attributes: XmlAttributes = {}): XmlNode {
  return parent.ele(name, cleanAttributes(attributes));
}

/** Adds `<name attrs>text</name>` under `parent`; returns the parent, for chaining. */
export function addText(parent: XmlNode, name: string, text: string, attributes: XmlAttributes = {}): XmlNode {
  parent.ele(name, cleanAttributes(attributes)).txt(escapeText(cleanXmlText(text)));
  return parent;
}

export function serializeXml(document: XmlNode): string {
  return `${document.end({ prettyPrint: true, wellFormed: true })}\n`;
}

function cleanAttributes(attributes: XmlAttributes): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) clean[name] = escapeAttribute(cleanXmlText(String(value)));
  }
  return clean;
}

// xmlbuilder2 escapes `<`, `>` and `"` but leaves an `&` that starts an entity-like sequence
// (`&lt;`, `&eacute;`, `&#60;`) as it is, so stored text such as `&lt;script&gt;` would come out as
// markup, and `&eacute;` as an undeclared entity. We escape every `&` first; xmlbuilder2 then leaves
// our `&amp;` and decimal references alone. CR (and in attributes tab and LF) are written as
// references, because an XML parser normalises them when they appear literally.

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/\r/g, '&#13;');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;');
}
