// The object detail view's YAML: highlighted by the vendored highlight.js (core and the YAML grammar only), copied and
// downloaded in the browser, so that nothing but the text itself crosses the console's connection.
import hljs from '../lib/highlight.js/es/core.min.js';
import yaml from '../lib/highlight.js/es/languages/yaml.min.js';

hljs.registerLanguage('yaml', yaml);

export function highlight(element) {
  if (!element) return;
  delete element.dataset.highlighted;
  element.textContent = element.textContent;
  hljs.highlightElement(element);
}

export async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export function download(fileName, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type: type || 'text/plain' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
