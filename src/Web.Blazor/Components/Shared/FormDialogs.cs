using MudBlazor;

namespace Cocktail.Web.Components.Shared;

/// <summary>
/// Options for dialogs that hold typed input (the ones wrapped in <see cref="UnsavedChangesGuard"/> and the access
/// dialogs): a stray click beside the dialog or the Escape key does not close it and drop what was typed; Cancel does.
/// </summary>
public static class FormDialogs
{
    public static DialogOptions Options(MaxWidth maxWidth) =>
        new() { MaxWidth = maxWidth, FullWidth = true, BackdropClick = false, CloseOnEscapeKey = false };
}
