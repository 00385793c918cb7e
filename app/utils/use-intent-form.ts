import { useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";

/**
 * A form posting `intent`: whether it is being submitted, and a ref that resets the form once
 * the action reports success (`doneKey` changes, e.g. the created item's id).
 */
export function useIntentForm(intent: string, doneKey: string | undefined, onReset?: () => void) {
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formData?.get("intent") === intent;
  const form = useRef<HTMLFormElement>(null);
  const reset = useRef(onReset);
  reset.current = onReset;
  useEffect(() => {
    if (doneKey) {
      form.current?.reset();
      reset.current?.();
    }
  }, [doneKey]);
  return { busy, form };
}
