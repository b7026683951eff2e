using Microsoft.JSInterop;

namespace Cocktail.Web.Session;

/// <summary>Loads Monaco's scripts into the page once per circuit, before the first editor renders.</summary>
public sealed class MonacoAssets(IJSRuntime js)
{
    private Task? _loading;

    public Task EnsureAsync() => _loading is { IsFaulted: false, IsCanceled: false } loading ? loading : _loading = LoadAsync();

    private async Task LoadAsync()
    {
        await using var module = await js.InvokeAsync<IJSObjectReference>("import", "./js/monaco-loader.js");
        await module.InvokeVoidAsync("ensure");
    }
}
