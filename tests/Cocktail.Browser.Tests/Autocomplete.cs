using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Cocktail.Browser.Tests;

internal static class Autocomplete
{
    // Each key sends a search; on a busy machine the answer for the whole text can take a while to arrive.
    private static readonly LocatorAssertionsToHaveCountOptions SearchAnswered = new() { Timeout = 15_000 };

    /// <summary>
    /// Types into an autocomplete key by key, as a person does, waits until its list shows only the match (the search
    /// for the whole text has answered), and picks that option by its exact name, so a late answer to an earlier
    /// keystroke re-drawing the list cannot make the click ambiguous.
    /// </summary>
    public static async Task ChooseAsync(IPage page, ILocator input, string text)
    {
        // On a loaded machine the whole choice can still be lost (seen in CI: the list closed and the field was
        // empty); a person sees the empty field and chooses again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ChooseOnceAsync(page, input, text);
                return;
            }
            catch (Exception e) when (e is PlaywrightException or TimeoutException && attempt < 3)
            {
                await input.PressAsync("Escape");
                await input.FillAsync("");
            }
        }
    }

    private static async Task ChooseOnceAsync(IPage page, ILocator input, string text)
    {
        // The console searches 300 ms after the last key, so keys typed at once send one search, for the whole text:
        // an answer to an earlier key cannot arrive after the pick and open the list again. A dialog still finishing
        // its first render on a loaded machine can swallow the first key (seen in CI: "i-cb2e..." for "ui-cb2e..."),
        // so the text is checked, and typed again as a person would, before the list is read.
        for (var attempt = 1; ; attempt++)
        {
            await input.ClickAsync();
            await input.PressSequentiallyAsync(text);
            if (await input.InputValueAsync() == text || attempt == 3) break;
            await input.FillAsync("");
        }
        await Expect(input).ToHaveValueAsync(text);
        await Expect(page.GetByRole(AriaRole.Option)).ToHaveCountAsync(1, SearchAnswered);
        await page.GetByRole(AriaRole.Option, new() { Name = text, Exact = true }).ClickAsync();
        await Expect(input).ToHaveValueAsync(text);
        // The list closes once the server has taken the pick; typing into the next field before that can be lost to
        // the re-render that follows it (seen: a quota field read as empty). On a loaded machine the value change can
        // re-run the search and open the list again over the chosen value (seen in CI: one option, open for 15 s);
        // a person presses Escape then, which closes the list and keeps the choice.
        try
        {
            await Expect(page.GetByRole(AriaRole.Option)).ToHaveCountAsync(0, new() { Timeout = 5_000 });
        }
        catch (PlaywrightException)
        {
            await input.PressAsync("Escape");
            await Expect(page.GetByRole(AriaRole.Option)).ToHaveCountAsync(0, SearchAnswered);
        }
        await Expect(input).ToHaveValueAsync(text);
    }
}
