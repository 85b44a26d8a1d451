// Source icons: where to look, and which bytes are a PNG, GIF, JPEG or ICO image worth keeping.
export {
  findSourceIcon, findPageIcons, sniffIconType, ICON_MAX_BYTES, PAGE_MAX_BYTES, MAX_PAGE_ICONS, ICON_TIMEOUT_MS,
  type IconSearch, type IconFetchOptions, type IconOutcome, type ValidIcon, type IconMediaType,
} from './icon.js';
