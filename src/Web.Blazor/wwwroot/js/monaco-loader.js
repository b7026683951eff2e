// Loads the Monaco editor (served from the BlazorMonaco package, no network needed) only on pages that show one,
// in the order BlazorMonaco needs: its interop (which sets the AMD paths), the AMD loader, then the editor.
let loading;

function add(src) {
    return new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = src;
        script.onload = resolve;
        script.onerror = () => reject(new Error("Could not load " + src));
        document.body.appendChild(script);
    });
}

export function ensure() {
    if (!loading) {
        loading = (async () => {
            const base = "_content/BlazorMonaco/";
            await add(base + "jsInterop.js");
            await add(base + "lib/monaco-editor/min/vs/loader.js");
            await add(base + "lib/monaco-editor/min/vs/editor/editor.main.js");
            // editor.main defines its modules; wait until the AMD loader has run them and `monaco` exists.
            await new Promise(resolve => window.require(["vs/editor/editor.main"], resolve));
        })();
        loading.catch(() => { loading = undefined; });
    }
    return loading;
}
