import { SetupAccountForm } from '@/components/auth/setup-account-form';

export default function SetupAccountPage() {
  return (
    <>
      <h1>Set up your account</h1>
      <SetupAccountForm />
    </>
  );
}
